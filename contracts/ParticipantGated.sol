// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title ParticipantGated
/// @author Carechain
/// @notice The one "active participant" check every Carechain registry shares: a caller must be the
/// current signing key of an organization that the ParticipantRegistry lists as active.
abstract contract ParticipantGated {
    /// @notice The registry of organizations this contract trusts.
    ParticipantRegistry public immutable participants;

    /// @notice The caller is not the signing key of an active organization.
    /// @param caller The rejected caller.
    error NotActiveParticipant(address caller);

    /// @notice Deploys the contract.
    /// @param registry The ParticipantRegistry to trust.
    constructor(ParticipantRegistry registry) {
        participants = registry;
    }

    /// @notice Lets only active participants through.
    modifier onlyActiveParticipant() {
        _callerOrg();
        _;
    }

    /// @notice The organization of the caller, which must be an active participant.
    /// @return orgId The caller's organization id.
    function _callerOrg() internal view returns (bytes32 orgId) {
        if (!participants.isActiveSigner(msg.sender)) revert NotActiveParticipant(msg.sender);
        return participants.orgOfSigner(msg.sender);
    }
}
