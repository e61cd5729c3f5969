// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantGated} from "./ParticipantGated.sol";
import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title BreakGlassRegistry
/// @author Carechain
/// @notice Emergency access without consent, visible to everyone: the custodian that releases records
/// flags each break-glass access here before it releases anything, naming the requesting organization
/// and clinician. The patient appears only as a tag their custodian and they can recognise, never as
/// an identifier that links them across custodians; the stated reason stays off-chain (its hash here).
contract BreakGlassRegistry is ParticipantGated {
    /// @notice An emergency access was opened.
    /// @param custodian The organization that released the records (the caller).
    /// @param requester The organization that asked.
    /// @param practitioner The clinician who asked (an opaque id: their credential at the requester).
    /// @param patientTag The patient, as a tag only the patient and the custodian can recognise.
    /// @param accessId The access's id.
    /// @param reasonHash keccak256 of the stated reason.
    /// @param until When the access ends (unix seconds).
    event BreakGlass(
        bytes32 indexed custodian,
        bytes32 indexed requester,
        bytes32 practitioner,
        bytes32 patientTag,
        bytes32 accessId,
        bytes32 reasonHash,
        uint64 until
    );

    /// @notice The requester is not a registered organization.
    /// @param requester The organization named.
    error UnknownRequester(bytes32 requester);

    /// @notice Deploys the contract.
    /// @param registry The ParticipantRegistry to trust.
    constructor(ParticipantRegistry registry) ParticipantGated(registry) {}

    /// @notice Flags an emergency access the calling custodian is about to allow.
    /// @param requester The requesting organization.
    /// @param practitioner The requesting clinician's opaque id.
    /// @param patientTag The patient's tag.
    /// @param accessId A fresh id for this access.
    /// @param reasonHash keccak256 of the stated reason.
    /// @param until When the access ends.
    function flag(
        bytes32 requester,
        bytes32 practitioner,
        bytes32 patientTag,
        bytes32 accessId,
        bytes32 reasonHash,
        uint64 until
    ) external {
        bytes32 custodian = _callerOrg();
        if (!participants.isRegistered(requester)) revert UnknownRequester(requester);
        emit BreakGlass(custodian, requester, practitioner, patientTag, accessId, reasonHash, until);
    }
}
