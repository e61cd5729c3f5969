// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantGated} from "./ParticipantGated.sol";
import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title ClaimRegistry
/// @author Carechain
/// @notice Insurance claims as fingerprints and states only: the billing provider registers the hash of
/// the FHIR Claim it sent to an insurer, the insurer moves it through adjudication, and the patient can
/// verify every claim billed in their name through a salted commitment that only they (given the salt)
/// can open. No claim content, code, amount or patient identifier is ever written here.
///
/// Who may move each state:
///   provider: submit (-> Submitted), void (Submitted|Pended -> Voided), appeal (Denied -> Appealed)
///   insurer:  pend (Submitted|Appealed -> Pended), approve (Submitted|Pended|Appealed -> Approved),
///             deny (Submitted|Pended|Appealed -> Denied), pay (Approved -> Paid),
///             recordDispute (any state but None|Voided; the state does not change)
contract ClaimRegistry is ParticipantGated {
    /// @notice A claim's adjudication state.
    enum State {
        None,
        Submitted,
        Pended,
        Approved,
        Denied,
        Paid,
        Voided,
        Appealed
    }

    /// @notice What the ledger holds of one claim.
    struct Claim {
        bytes32 provider;
        bytes32 insurer;
        bytes32 claimHash;
        bytes32 patientCommitment;
        State state;
        bytes32 lastDocHash;
        uint64 updatedAt;
    }

    mapping(bytes32 claimId => Claim) private _claims;

    /// @notice A provider registered a claim it sent to an insurer.
    /// @param claimId The claim's id (random, carries no meaning).
    /// @param provider The billing organization.
    /// @param insurer The insurer it was sent to.
    /// @param claimHash SHA-256 of the claim's canonical JSON.
    /// @param patientCommitment keccak256 of the patient's address and a per-claim salt.
    event ClaimSubmitted(bytes32 indexed claimId, bytes32 indexed provider, bytes32 indexed insurer, bytes32 claimHash, bytes32 patientCommitment);

    /// @notice A claim changed state.
    /// @param claimId The claim.
    /// @param by The organization that moved it.
    /// @param from The state before.
    /// @param to The state after.
    /// @param docHash SHA-256 of the document behind the move (ClaimResponse, appeal, void reason).
    event ClaimStateChanged(bytes32 indexed claimId, bytes32 indexed by, State from, State to, bytes32 docHash);

    /// @notice The insurer recorded that the patient disputes the claim.
    /// @param claimId The claim.
    /// @param insurer The insurer that recorded it.
    /// @param disputeHash SHA-256 of the patient's signed dispute.
    event ClaimDisputed(bytes32 indexed claimId, bytes32 indexed insurer, bytes32 disputeHash);

    /// @notice A claim with this id exists already.
    /// @param claimId The id.
    error ClaimExists(bytes32 claimId);
    /// @notice No claim with this id.
    /// @param claimId The id.
    error UnknownClaim(bytes32 claimId);
    /// @notice The insurer named is not a registered organization, or is the provider itself.
    /// @param insurer The organization named.
    error BadInsurer(bytes32 insurer);
    /// @notice A hash or commitment is zero.
    error ZeroHash();
    /// @notice The caller is not the party that may make this move.
    /// @param caller The caller's organization.
    /// @param claimId The claim.
    error WrongParty(bytes32 caller, bytes32 claimId);
    /// @notice The claim is not in a state this move starts from.
    /// @param claimId The claim.
    /// @param state Its current state.
    error BadTransition(bytes32 claimId, State state);

    /// @notice Deploys the contract.
    /// @param registry The ParticipantRegistry to trust.
    constructor(ParticipantRegistry registry) ParticipantGated(registry) {}

    /// @notice Registers a claim the calling provider sent to `insurer`.
    /// @param claimId A fresh random id.
    /// @param insurer The insurer's organization id.
    /// @param claimHash SHA-256 of the claim's canonical JSON.
    /// @param patientCommitment keccak256(abi.encode(patient address, salt)).
    function submit(bytes32 claimId, bytes32 insurer, bytes32 claimHash, bytes32 patientCommitment) external {
        bytes32 provider = _callerOrg();
        if (_claims[claimId].state != State.None) revert ClaimExists(claimId);
        if (insurer == provider || !participants.isRegistered(insurer)) revert BadInsurer(insurer);
        if (claimHash == bytes32(0) || patientCommitment == bytes32(0)) revert ZeroHash();
        _claims[claimId] = Claim(provider, insurer, claimHash, patientCommitment, State.Submitted, claimHash, uint64(block.timestamp));
        emit ClaimSubmitted(claimId, provider, insurer, claimHash, patientCommitment);
    }

    /// @notice The provider withdraws a claim not yet decided.
    /// @param claimId The claim.
    /// @param docHash SHA-256 of the stated reason.
    function voidClaim(bytes32 claimId, bytes32 docHash) external {
        Claim storage c = _byProvider(claimId);
        _move(claimId, c, c.provider, c.state == State.Submitted || c.state == State.Pended, State.Voided, docHash);
    }

    /// @notice The provider appeals a denial.
    /// @param claimId The claim.
    /// @param docHash SHA-256 of the appeal.
    function appeal(bytes32 claimId, bytes32 docHash) external {
        Claim storage c = _byProvider(claimId);
        _move(claimId, c, c.provider, c.state == State.Denied, State.Appealed, docHash);
    }

    /// @notice The insurer holds a claim for review (special investigations, missing information).
    /// @param claimId The claim.
    /// @param docHash SHA-256 of the ClaimResponse (outcome `queued` or `partial`).
    function pend(bytes32 claimId, bytes32 docHash) external {
        Claim storage c = _byInsurer(claimId);
        _move(claimId, c, c.insurer, c.state == State.Submitted || c.state == State.Appealed, State.Pended, docHash);
    }

    /// @notice The insurer approves a claim.
    /// @param claimId The claim.
    /// @param docHash SHA-256 of the ClaimResponse.
    function approve(bytes32 claimId, bytes32 docHash) external {
        Claim storage c = _byInsurer(claimId);
        _move(claimId, c, c.insurer, _decidable(c.state), State.Approved, docHash);
    }

    /// @notice The insurer denies a claim.
    /// @param claimId The claim.
    /// @param docHash SHA-256 of the ClaimResponse.
    function deny(bytes32 claimId, bytes32 docHash) external {
        Claim storage c = _byInsurer(claimId);
        _move(claimId, c, c.insurer, _decidable(c.state), State.Denied, docHash);
    }

    /// @notice The insurer pays an approved claim.
    /// @param claimId The claim.
    /// @param docHash SHA-256 of the ExplanationOfBenefit or remittance.
    function pay(bytes32 claimId, bytes32 docHash) external {
        Claim storage c = _byInsurer(claimId);
        _move(claimId, c, c.insurer, c.state == State.Approved, State.Paid, docHash);
    }

    /// @notice The insurer records a patient's dispute of a claim (the patient signed it off the ledger).
    /// @param claimId The claim.
    /// @param disputeHash SHA-256 of the signed dispute.
    function recordDispute(bytes32 claimId, bytes32 disputeHash) external {
        Claim storage c = _byInsurer(claimId);
        if (c.state == State.Voided) revert BadTransition(claimId, c.state);
        if (disputeHash == bytes32(0)) revert ZeroHash();
        emit ClaimDisputed(claimId, c.insurer, disputeHash);
    }

    /// @notice What the ledger holds of a claim.
    /// @param claimId The claim.
    /// @return The claim (state None if unknown).
    function claim(bytes32 claimId) external view returns (Claim memory) {
        return _claims[claimId];
    }

    function _decidable(State s) private pure returns (bool) {
        return s == State.Submitted || s == State.Pended || s == State.Appealed;
    }

    function _byProvider(bytes32 claimId) private view returns (Claim storage c) {
        bytes32 caller = _callerOrg();
        c = _existing(claimId);
        if (caller != c.provider) revert WrongParty(caller, claimId);
    }

    function _byInsurer(bytes32 claimId) private view returns (Claim storage c) {
        bytes32 caller = _callerOrg();
        c = _existing(claimId);
        if (caller != c.insurer) revert WrongParty(caller, claimId);
    }

    function _existing(bytes32 claimId) private view returns (Claim storage c) {
        c = _claims[claimId];
        if (c.state == State.None) revert UnknownClaim(claimId);
    }

    function _move(bytes32 claimId, Claim storage c, bytes32 by, bool allowed, State to, bytes32 docHash) private {
        if (!allowed) revert BadTransition(claimId, c.state);
        if (docHash == bytes32(0)) revert ZeroHash();
        State from = c.state;
        c.state = to;
        c.lastDocHash = docHash;
        c.updatedAt = uint64(block.timestamp);
        emit ClaimStateChanged(claimId, by, from, to, docHash);
    }
}
