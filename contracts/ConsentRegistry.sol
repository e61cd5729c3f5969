// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title ConsentRegistry
/// @notice Patients' consent, signed by the patient (EIP-712) and relayed by any participant node, so
/// patients need no funds. A patient is a pseudonymous address; a grant names a grantee (organization
/// or practitioner id), the hash of its scope document (kept off-chain), an HL7 PurposeOfUse and a
/// validity window. Revocation is signed the same way and effective from its block. Each patient's
/// signatures carry a sequential nonce: replayed or out-of-order signatures are rejected. A patient
/// may appoint a proxy (guardian) with its own expiry who may grant and revoke on their behalf.
/// Also holds the record locator (which organizations hold records of a patient) and break-glass flags.
contract ConsentRegistry is EIP712 {
    /// HL7 v3 PurposeOfUse: TREAT, HPAYMT, HOPERAT, HRESCH, ETREAT.
    enum Purpose {
        Treatment,
        Payment,
        Operations,
        Research,
        Emergency
    }

    struct Grant {
        address patient;
        bytes32 grantee;
        bytes32 scopeHash;
        Purpose purpose;
        uint64 start;
        uint64 expiry;
        uint256 nonce;
    }

    struct GrantState {
        address patient;
        address signer;
        uint64 start;
        uint64 expiry;
        uint64 grantedBlock;
        uint64 revokedBlock; // 0 while in force
        bytes32 grantee;
        bytes32 scopeHash;
        Purpose purpose;
    }

    bytes32 public constant GRANT_TYPEHASH = keccak256(
        "Grant(address patient,bytes32 grantee,bytes32 scopeHash,uint8 purpose,uint64 start,uint64 expiry,uint256 nonce)"
    );
    bytes32 public constant REVOKE_TYPEHASH = keccak256("Revoke(address patient,bytes32 grantId,uint256 nonce)");
    bytes32 public constant PROXY_TYPEHASH =
        keccak256("AppointProxy(address patient,address proxy,uint64 expiry,uint256 nonce)");

    ParticipantRegistry public immutable participants;

    mapping(bytes32 => GrantState) private _grants;
    mapping(address => uint256) public nonces;
    /// patient => proxy => expiry (0: none)
    mapping(address => mapping(address => uint64)) public proxyExpiry;
    /// patient => organization id => holds records
    mapping(address => mapping(bytes32 => bool)) public isCustodian;

    event ConsentGranted(
        bytes32 indexed grantId,
        address indexed patient,
        bytes32 indexed grantee,
        bytes32 scopeHash,
        Purpose purpose,
        uint64 start,
        uint64 expiry,
        address signer
    );
    event ConsentRevoked(bytes32 indexed grantId, address indexed patient, address signer);
    event ProxyAppointed(address indexed patient, address indexed proxy, uint64 expiry);
    event CustodianRegistered(address indexed patient, bytes32 indexed orgId);
    event BreakGlass(address indexed patient, bytes32 indexed orgId, bytes32 accessId, bytes32 reasonHash, uint64 until);

    error NotActiveParticipant(address caller);
    error BadSignature(address recovered);
    error BadNonce(uint256 expected, uint256 got);
    error BadWindow();
    error UnknownGrant(bytes32 grantId);
    error AlreadyRevoked(bytes32 grantId);
    error NotForThisPatient(bytes32 grantId);

    constructor(ParticipantRegistry registry) EIP712("Carechain Consent", "1") {
        participants = registry;
    }

    modifier onlyParticipant() {
        if (!participants.isActiveSigner(msg.sender)) revert NotActiveParticipant(msg.sender);
        _;
    }

    function grantId(address patient, uint256 nonce) public pure returns (bytes32) {
        return keccak256(abi.encode(patient, nonce));
    }

    function grantDigest(Grant calldata g) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(GRANT_TYPEHASH, g.patient, g.grantee, g.scopeHash, g.purpose, g.start, g.expiry, g.nonce))
        );
    }

    function revokeDigest(address patient, bytes32 id, uint256 nonce) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(REVOKE_TYPEHASH, patient, id, nonce)));
    }

    function proxyDigest(address patient, address proxy, uint64 expiry, uint256 nonce) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(PROXY_TYPEHASH, patient, proxy, expiry, nonce)));
    }

    /// The patient, or a proxy whose appointment has not expired.
    function _checkSigner(address patient, bytes32 digest, bytes calldata signature) private view returns (address) {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        if (err != ECDSA.RecoverError.NoError) revert BadSignature(address(0));
        if (signer != patient && proxyExpiry[patient][signer] <= block.timestamp) revert BadSignature(signer);
        return signer;
    }

    function _useNonce(address patient, uint256 nonce) private {
        uint256 expected = nonces[patient];
        if (nonce != expected) revert BadNonce(expected, nonce);
        nonces[patient] = expected + 1;
    }

    /// Records a grant signed by the patient or their proxy. Relayed by any active participant.
    function grant(Grant calldata g, bytes calldata signature) external onlyParticipant returns (bytes32 id) {
        address signer = _checkSigner(g.patient, grantDigest(g), signature);
        if (g.expiry <= g.start || g.expiry <= block.timestamp) revert BadWindow();
        _useNonce(g.patient, g.nonce);
        id = grantId(g.patient, g.nonce);
        _grants[id] = GrantState(
            g.patient, signer, g.start, g.expiry, uint64(block.number), 0, g.grantee, g.scopeHash, g.purpose
        );
        emit ConsentGranted(id, g.patient, g.grantee, g.scopeHash, g.purpose, g.start, g.expiry, signer);
    }

    /// Revokes a grant, effective from this block.
    function revoke(address patient, bytes32 id, uint256 nonce, bytes calldata signature) external onlyParticipant {
        GrantState storage s = _grants[id];
        if (s.patient == address(0)) revert UnknownGrant(id);
        if (s.patient != patient) revert NotForThisPatient(id);
        if (s.revokedBlock != 0) revert AlreadyRevoked(id);
        address signer = _checkSigner(patient, revokeDigest(patient, id, nonce), signature);
        _useNonce(patient, nonce);
        s.revokedBlock = uint64(block.number);
        emit ConsentRevoked(id, patient, signer);
    }

    /// Appoints (or, with expiry 0, dismisses) a proxy. Only the patient may sign this.
    function appointProxy(address patient, address proxy, uint64 expiry, uint256 nonce, bytes calldata signature)
        external
        onlyParticipant
    {
        (address signer, ECDSA.RecoverError err,) =
            ECDSA.tryRecover(proxyDigest(patient, proxy, expiry, nonce), signature);
        if (err != ECDSA.RecoverError.NoError || signer != patient) revert BadSignature(signer);
        _useNonce(patient, nonce);
        proxyExpiry[patient][proxy] = expiry;
        emit ProxyAppointed(patient, proxy, expiry);
    }

    /// Is the grant in force now (started, not expired, not revoked)?
    function isValid(bytes32 id) external view returns (bool) {
        GrantState storage s = _grants[id];
        return s.patient != address(0) && s.revokedBlock == 0 && s.start <= block.timestamp
            && block.timestamp < s.expiry;
    }

    function getGrant(bytes32 id) external view returns (GrantState memory) {
        if (_grants[id].patient == address(0)) revert UnknownGrant(id);
        return _grants[id];
    }

    /// Record locator: the calling organization declares it holds records of `patient`.
    function registerCustodian(address patient) external onlyParticipant {
        bytes32 orgId = participants.orgOfSigner(msg.sender);
        if (isCustodian[patient][orgId]) return;
        isCustodian[patient][orgId] = true;
        emit CustodianRegistered(patient, orgId);
    }

    /// Break-glass: the calling organization flags an emergency access without consent, visible to all.
    function flagBreakGlass(address patient, bytes32 accessId, bytes32 reasonHash, uint64 until) external onlyParticipant {
        emit BreakGlass(patient, participants.orgOfSigner(msg.sender), accessId, reasonHash, until);
    }
}
