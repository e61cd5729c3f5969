// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

/// @title ConsortiumGovernor
/// @author Carechain
/// @notice M-of-N consortium decisions with OpenZeppelin's Governor: a member proposes calls
/// (register, suspend or reinstate an organization, scope an issuer, hand a registry over to a new
/// version), members vote with their seats (ConsortiumMembership), and a proposal that reaches the
/// quorum of M "for" votes (and more for than against) is queued in the ConsortiumTimelock and runs
/// after its delay. No single member can act alone unless the consortium sets M to 1.
contract ConsortiumGovernor is Governor, GovernorSettings, GovernorCountingSimple, GovernorVotes, GovernorTimelockControl {
    uint256 private _quorumVotes;

    /// @notice The quorum changed.
    /// @param oldQuorum The previous number of votes.
    /// @param newQuorum The new number of votes.
    event QuorumVotesSet(uint256 oldQuorum, uint256 newQuorum);

    /// @notice A quorum of zero votes would let anyone's proposal pass.
    error InvalidQuorum();

    /// @notice Deploys the governor.
    /// @param seats The membership whose seats vote.
    /// @param timelock The timelock that runs passed proposals.
    /// @param votingDelaySeconds Seconds between a proposal and the start of its vote.
    /// @param votingPeriodSeconds Seconds the vote lasts.
    /// @param quorumVotes M: "for" votes (and abstentions) a proposal needs.
    constructor(
        IVotes seats,
        TimelockController timelock,
        uint48 votingDelaySeconds,
        uint32 votingPeriodSeconds,
        uint256 quorumVotes
    )
        Governor("Carechain consortium")
        GovernorSettings(votingDelaySeconds, votingPeriodSeconds, 1)
        GovernorVotes(seats)
        GovernorTimelockControl(timelock)
    {
        _setQuorumVotes(quorumVotes);
    }

    /// @notice Sets M (by a passed proposal only).
    /// @param newQuorum The number of votes a proposal needs.
    function setQuorumVotes(uint256 newQuorum) external onlyGovernance {
        _setQuorumVotes(newQuorum);
    }

    /// @notice M: the votes a proposal needs, whatever the timepoint.
    /// @return The number of votes.
    function quorum(uint256) public view override returns (uint256) {
        return _quorumVotes;
    }

    /// @notice Seconds between a proposal and the start of its vote.
    /// @return The delay.
    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    /// @notice Seconds a vote lasts.
    /// @return The period.
    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    /// @notice Votes needed to propose (one seat).
    /// @return The threshold.
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    /// @notice A proposal's state, the timelock's included.
    /// @param proposalId The proposal.
    /// @return Its state.
    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        return super.state(proposalId);
    }

    /// @notice Every proposal goes through the timelock.
    /// @param proposalId The proposal.
    /// @return True.
    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    function _setQuorumVotes(uint256 newQuorum) private {
        if (newQuorum == 0) revert InvalidQuorum();
        emit QuorumVotesSet(_quorumVotes, newQuorum);
        _quorumVotes = newQuorum;
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
