// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantGated} from "./ParticipantGated.sol";
import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title TrialRegistry
/// @author Carechain
/// @notice Clinical studies registered before enrollment (ICMJE; ClinicalTrials.gov registration and
/// versions): a sponsor registers a study with the hash of its protocol version (the canonical bytes of
/// the ResearchStudy, the protocol document and the pre-specified outcomes); every amendment is a new
/// version with the hash of its reason, and says whether subjects must consent again. A site enrolls a
/// subject only once the study is registered, under the version in force, naming the consent grant
/// (ConsentRegistry) it relies on; a withdrawal stops use from its block on. Sites anchor the data
/// they capture in Merkle batches, and the manifest of each de-identified dataset, so a monitor or a
/// reader of a paper can check the data against the ledger.
///
/// No PHI: a study is an opaque id, a subject a per-study tag (a keyed hash only the site can
/// recompute), everything else is a hash.
contract TrialRegistry is ParticipantGated {
    /// @notice A registered study.
    struct Study {
        bytes32 sponsor;
        uint32 version; // the protocol version in force (1 at registration)
        uint32 consentVersion; // subjects must have consented to this version or later to be used
        uint32 batches;
        uint32 datasets;
    }

    /// @notice A subject of a study.
    struct Subject {
        bytes32 site;
        uint32 version; // the protocol version last consented to
        uint64 withdrawnAtBlock; // 0 while not withdrawn
    }

    /// @notice The studies, by id.
    mapping(bytes32 studyId => Study) public studies;
    /// @notice The protocol hash of each version of each study (versions start at 1).
    mapping(bytes32 studyId => mapping(uint32 version => bytes32 protocolHash)) public protocolOf;
    /// @notice The subjects of each study, by tag.
    mapping(bytes32 studyId => mapping(bytes32 subjectTag => Subject)) public subjects;

    /// @notice A study was registered.
    /// @param studyId The study.
    /// @param sponsor The registering organization.
    /// @param protocolHash Hash of the canonical bytes of protocol version 1.
    event StudyRegistered(bytes32 indexed studyId, bytes32 indexed sponsor, bytes32 protocolHash);

    /// @notice The protocol was amended: a new version.
    /// @param studyId The study.
    /// @param version The new version.
    /// @param protocolHash Hash of the canonical bytes of the new version.
    /// @param reasonHash Hash of the stated reason for the amendment.
    /// @param reconsent Whether subjects must consent to this version before their data is used again.
    event ProtocolAmended(bytes32 indexed studyId, uint32 version, bytes32 protocolHash, bytes32 reasonHash, bool reconsent);

    /// @notice A subject consented to a protocol version (first enrollment, or re-consent).
    /// @param studyId The study.
    /// @param site The enrolling organization.
    /// @param subjectTag The subject's per-study tag.
    /// @param version The protocol version consented to.
    /// @param consentGrant The ConsentRegistry grant id relied on.
    event SubjectEnrolled(bytes32 indexed studyId, bytes32 indexed site, bytes32 subjectTag, uint32 version, bytes32 consentGrant);

    /// @notice A subject withdrew; their data is not used from this block on.
    /// @param studyId The study.
    /// @param site The organization that recorded the withdrawal.
    /// @param subjectTag The subject's per-study tag.
    event SubjectWithdrawn(bytes32 indexed studyId, bytes32 indexed site, bytes32 subjectTag);

    /// @notice A batch of captured data was anchored.
    /// @param studyId The study.
    /// @param site The capturing organization.
    /// @param batch The study's batch number (from 0).
    /// @param root RFC 6962 Merkle root of the batch's entries.
    /// @param size Number of entries.
    event DataBatchAnchored(bytes32 indexed studyId, bytes32 indexed site, uint32 batch, bytes32 root, uint32 size);

    /// @notice The manifest of a de-identified dataset was anchored.
    /// @param studyId The study.
    /// @param exporter The exporting organization.
    /// @param dataset The study's dataset number (from 0).
    /// @param manifestHash Hash of the dataset's manifest.
    /// @param resources Number of resources in the dataset.
    event DatasetAnchored(bytes32 indexed studyId, bytes32 indexed exporter, uint32 dataset, bytes32 manifestHash, uint32 resources);

    /// @notice The study is already registered.
    /// @param studyId The study.
    error AlreadyRegistered(bytes32 studyId);
    /// @notice The study is not registered.
    /// @param studyId The study.
    error NotRegistered(bytes32 studyId);
    /// @notice Only the study's sponsor may do this.
    /// @param studyId The study.
    /// @param caller The caller's organization.
    error NotSponsor(bytes32 studyId, bytes32 caller);
    /// @notice A hash was zero.
    error ZeroHash();
    /// @notice Consent must name the version in force.
    /// @param studyId The study.
    /// @param given The version consented to.
    /// @param inForce The version in force.
    error NotVersionInForce(bytes32 studyId, uint32 given, uint32 inForce);
    /// @notice The subject withdrew from the study.
    /// @param studyId The study.
    /// @param subjectTag The subject.
    error Withdrawn(bytes32 studyId, bytes32 subjectTag);
    /// @notice The subject is not enrolled.
    /// @param studyId The study.
    /// @param subjectTag The subject.
    error NotEnrolled(bytes32 studyId, bytes32 subjectTag);
    /// @notice Only the enrolling site or the sponsor may do this for a subject.
    /// @param studyId The study.
    /// @param caller The caller's organization.
    error NotSiteOrSponsor(bytes32 studyId, bytes32 caller);
    /// @notice A batch or dataset must hold at least one entry.
    error Empty();

    /// @notice Deploys the contract.
    /// @param registry The ParticipantRegistry to trust.
    constructor(ParticipantRegistry registry) ParticipantGated(registry) {}

    /// @notice Registers a study with its first protocol version; the caller's organization is its sponsor.
    /// @param studyId A fresh study id.
    /// @param protocolHash Hash of the canonical bytes of protocol version 1.
    function register(bytes32 studyId, bytes32 protocolHash) external {
        bytes32 sponsor = _callerOrg();
        if (studyId == bytes32(0) || protocolHash == bytes32(0)) revert ZeroHash();
        if (studies[studyId].version != 0) revert AlreadyRegistered(studyId);
        studies[studyId] = Study({sponsor: sponsor, version: 1, consentVersion: 1, batches: 0, datasets: 0});
        protocolOf[studyId][1] = protocolHash;
        emit StudyRegistered(studyId, sponsor, protocolHash);
    }

    /// @notice Amends the protocol: a new version, with the hash of its reason. Registered versions never change.
    /// @param studyId The study.
    /// @param protocolHash Hash of the canonical bytes of the new version.
    /// @param reasonHash Hash of the stated reason.
    /// @param reconsent Whether the amendment changes what subjects agreed to (they must consent again).
    /// @return version The new version.
    function amend(bytes32 studyId, bytes32 protocolHash, bytes32 reasonHash, bool reconsent) external returns (uint32 version) {
        Study storage s = _sponsored(studyId);
        if (protocolHash == bytes32(0) || reasonHash == bytes32(0)) revert ZeroHash();
        version = s.version + 1;
        s.version = version;
        if (reconsent) s.consentVersion = version;
        protocolOf[studyId][version] = protocolHash;
        emit ProtocolAmended(studyId, version, protocolHash, reasonHash, reconsent);
    }

    /// @notice Enrolls a subject under the version in force, or records their consent to it (re-consent).
    /// @param studyId The study (must be registered).
    /// @param subjectTag The subject's per-study tag.
    /// @param version The protocol version the subject consented to (the one in force).
    /// @param consentGrant The ConsentRegistry grant relied on.
    function enroll(bytes32 studyId, bytes32 subjectTag, uint32 version, bytes32 consentGrant) external {
        bytes32 site = _callerOrg();
        Study storage s = studies[studyId];
        if (s.version == 0) revert NotRegistered(studyId);
        if (subjectTag == bytes32(0) || consentGrant == bytes32(0)) revert ZeroHash();
        if (version != s.version) revert NotVersionInForce(studyId, version, s.version);
        Subject storage subj = subjects[studyId][subjectTag];
        if (subj.withdrawnAtBlock != 0) revert Withdrawn(studyId, subjectTag);
        if (subj.version != 0 && subj.site != site && s.sponsor != site) revert NotSiteOrSponsor(studyId, site);
        if (subj.version == 0) subj.site = site;
        subj.version = version;
        emit SubjectEnrolled(studyId, site, subjectTag, version, consentGrant);
    }

    /// @notice Records a subject's withdrawal; their data is not used from this block on.
    /// @param studyId The study.
    /// @param subjectTag The subject's per-study tag.
    function withdraw(bytes32 studyId, bytes32 subjectTag) external {
        bytes32 caller = _callerOrg();
        Subject storage subj = subjects[studyId][subjectTag];
        if (subj.version == 0) revert NotEnrolled(studyId, subjectTag);
        if (subj.withdrawnAtBlock != 0) revert Withdrawn(studyId, subjectTag);
        if (subj.site != caller && studies[studyId].sponsor != caller) revert NotSiteOrSponsor(studyId, caller);
        subj.withdrawnAtBlock = uint64(block.number);
        emit SubjectWithdrawn(studyId, caller, subjectTag);
    }

    /// @notice Anchors a batch of captured data (the Merkle root of its entries).
    /// @param studyId The study (must be registered).
    /// @param root RFC 6962 Merkle root of the entries.
    /// @param size Number of entries.
    /// @return batch The study's batch number.
    function anchorBatch(bytes32 studyId, bytes32 root, uint32 size) external returns (uint32 batch) {
        bytes32 site = _callerOrg();
        Study storage s = studies[studyId];
        if (s.version == 0) revert NotRegistered(studyId);
        if (root == bytes32(0)) revert ZeroHash();
        if (size == 0) revert Empty();
        batch = s.batches;
        s.batches = batch + 1;
        emit DataBatchAnchored(studyId, site, batch, root, size);
    }

    /// @notice Anchors the manifest of a de-identified dataset.
    /// @param studyId The study (must be registered).
    /// @param manifestHash Hash of the manifest.
    /// @param resources Number of resources in the dataset.
    /// @return dataset The study's dataset number.
    function anchorDataset(bytes32 studyId, bytes32 manifestHash, uint32 resources) external returns (uint32 dataset) {
        bytes32 exporter = _callerOrg();
        Study storage s = studies[studyId];
        if (s.version == 0) revert NotRegistered(studyId);
        if (manifestHash == bytes32(0)) revert ZeroHash();
        if (resources == 0) revert Empty();
        dataset = s.datasets;
        s.datasets = dataset + 1;
        emit DatasetAnchored(studyId, exporter, dataset, manifestHash, resources);
    }

    /// @notice May the subject's data be used now: enrolled, not withdrawn, consented to the latest material version?
    /// @param studyId The study.
    /// @param subjectTag The subject's per-study tag.
    /// @return usable Whether the data may be used.
    function mayUse(bytes32 studyId, bytes32 subjectTag) external view returns (bool usable) {
        Subject storage subj = subjects[studyId][subjectTag];
        return subj.version != 0 && subj.withdrawnAtBlock == 0 && subj.version >= studies[studyId].consentVersion;
    }

    /// @notice The study, which the caller must sponsor.
    /// @param studyId The study.
    /// @return s The study's storage.
    function _sponsored(bytes32 studyId) internal view returns (Study storage s) {
        bytes32 caller = _callerOrg();
        s = studies[studyId];
        if (s.version == 0) revert NotRegistered(studyId);
        if (s.sponsor != caller) revert NotSponsor(studyId, caller);
    }
}
