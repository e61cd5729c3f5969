// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantGated} from "./ParticipantGated.sol";
import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title RecordLocator
/// @author Carechain
/// @notice Which organizations hold records of a patient. A custodian declares it for the patient's
/// pseudonymous address at that custodian; a patient (who can derive every such address) or a grantee
/// (told by the patient) finds where to ask.
contract RecordLocator is ParticipantGated {
    /// @notice patient => organization id => holds records.
    mapping(address => mapping(bytes32 => bool)) public isCustodian;

    /// @notice An organization declared it holds records of a patient.
    /// @param patient The patient's pseudonymous address.
    /// @param orgId The custodian.
    event CustodianRegistered(address indexed patient, bytes32 indexed orgId);

    /// @notice Deploys the contract.
    /// @param registry The ParticipantRegistry to trust.
    constructor(ParticipantRegistry registry) ParticipantGated(registry) {}

    /// @notice The calling organization declares it holds records of `patient` (idempotent).
    /// @param patient The patient's pseudonymous address.
    function registerCustodian(address patient) external {
        bytes32 orgId = _callerOrg();
        if (isCustodian[patient][orgId]) return;
        isCustodian[patient][orgId] = true;
        emit CustodianRegistered(patient, orgId);
    }
}
