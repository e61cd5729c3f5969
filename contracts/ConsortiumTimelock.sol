// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title ConsortiumTimelock
/// @author Carechain
/// @notice OpenZeppelin's TimelockController as the consortium's governance account: it holds the
/// admin and registrar roles of the registries, and runs only what the ConsortiumGovernor queued,
/// after the delay, so every member (and every organization) can see a decision before it acts.
contract ConsortiumTimelock is TimelockController {
    /// @notice Deploys the timelock.
    /// @param minDelay Seconds between queuing and executing an operation.
    /// @param proposers Accounts that may queue (the governor).
    /// @param executors Accounts that may execute (address(0): anyone, once the delay has passed).
    /// @param admin A temporary admin that wires the governor in and then renounces (or address(0)).
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
