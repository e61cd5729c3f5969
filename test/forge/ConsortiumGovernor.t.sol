// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ConsortiumGovernor} from "../../contracts/ConsortiumGovernor.sol";
import {ConsortiumMembership} from "../../contracts/ConsortiumMembership.sol";
import {ConsortiumTimelock} from "../../contracts/ConsortiumTimelock.sol";
import {ParticipantRegistry} from "../../contracts/ParticipantRegistry.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {vm} from "./Vm.sol";

/// 2-of-3 consortium governance with a one-day timelock over the ParticipantRegistry: a single
/// member can neither act on the registry nor pass, queue or hurry a proposal.
contract ConsortiumGovernance {
    ConsortiumMembership seats;
    ConsortiumTimelock timelock;
    ConsortiumGovernor governor;
    ParticipantRegistry registry;
    address a = vm.addr(1);
    address b = vm.addr(2);
    address c = vm.addr(3);
    address outsider = vm.addr(4);
    uint256 constant DELAY = 1 days;

    address[] targets;
    uint256[] values;
    bytes[] calldatas;
    string constant DESCRIPTION = "Admit St Mary's";

    function setUp() public {
        vm.warp(1_700_000_000);
        address[] memory none = new address[](0);
        address[] memory anyone = new address[](1);
        timelock = new ConsortiumTimelock(DELAY, none, anyone, address(this));
        address[] memory members = new address[](3);
        (members[0], members[1], members[2]) = (a, b, c);
        seats = new ConsortiumMembership(members, address(timelock));
        governor = new ConsortiumGovernor(seats, timelock, 60, 3 days, 2);
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(governor));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(governor));
        timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), address(this));
        registry = new ParticipantRegistry(address(timelock), 0);
        vm.warp(block.timestamp + 1);
        targets.push(address(registry));
        values.push(0);
        calldatas.push(
            abi.encodeCall(
                registry.register,
                (keccak256("st-mary"), ParticipantRegistry.Kind.Hospital, address(0xA11CE), bytes32(uint256(1)), "St Mary's", "https://st-mary.example")
            )
        );
    }

    function _propose() internal returns (uint256 id) {
        vm.prank(a);
        id = governor.propose(targets, values, calldatas, DESCRIPTION);
        vm.warp(block.timestamp + 61);
    }

    function _vote(address member, uint8 support) internal {
        uint256 id = _id(); // an external call: computed before the prank, which the next call takes
        vm.prank(member);
        governor.castVote(id, support);
    }

    function _id() internal view returns (uint256) {
        return governor.hashProposal(targets, values, calldatas, keccak256(bytes(DESCRIPTION)));
    }

    function _expectRevert(address caller, address target, bytes memory data, bytes4 selector) internal {
        vm.prank(caller);
        (bool ok, bytes memory err) = target.call(data);
        require(!ok, "a refused action succeeded");
        require(err.length >= 4 && bytes4(err) == selector, "reverted with another error");
    }

    function test_noMemberActsAlone() public {
        _expectRevert(a, address(registry), calldatas[0], IAccessControl.AccessControlUnauthorizedAccount.selector);
        bytes memory schedule = abi.encodeCall(timelock.schedule, (address(registry), 0, calldatas[0], bytes32(0), bytes32(0), DELAY));
        _expectRevert(a, address(timelock), schedule, IAccessControl.AccessControlUnauthorizedAccount.selector);
        _expectRevert(outsider, address(governor), abi.encodeCall(governor.propose, (targets, values, calldatas, DESCRIPTION)), IGovernor.GovernorInsufficientProposerVotes.selector);
        _expectRevert(a, address(seats), abi.encodeCall(seats.admit, (outsider)), bytes4(keccak256("OwnableUnauthorizedAccount(address)")));
        _expectRevert(a, address(seats), abi.encodeWithSignature("transferFrom(address,address,uint256)", a, outsider, uint256(uint160(a))), ConsortiumMembership.SeatNotTransferable.selector);
    }

    function test_oneVoteOfThreeIsDefeated() public {
        uint256 id = _propose();
        _vote(a, 1);
        vm.warp(block.timestamp + 3 days + 1);
        require(governor.state(id) == IGovernor.ProposalState.Defeated, "1 of 3 must not pass");
        _expectRevert(a, address(governor), abi.encodeCall(governor.queue, (targets, values, calldatas, keccak256(bytes(DESCRIPTION)))), IGovernor.GovernorUnexpectedProposalState.selector);
    }

    function test_twoOfThreeRunAfterTheTimelock() public {
        uint256 id = _propose();
        _vote(a, 1);
        _vote(b, 1);
        _vote(c, 0);
        _expectRevert(a, address(governor), abi.encodeCall(governor.queue, (targets, values, calldatas, keccak256(bytes(DESCRIPTION)))), IGovernor.GovernorUnexpectedProposalState.selector);
        vm.warp(block.timestamp + 3 days + 1);
        require(governor.state(id) == IGovernor.ProposalState.Succeeded, "2 of 3 pass");
        governor.queue(targets, values, calldatas, keccak256(bytes(DESCRIPTION)));
        bytes memory execute = abi.encodeCall(governor.execute, (targets, values, calldatas, keccak256(bytes(DESCRIPTION))));
        (bool early,) = address(governor).call(execute);
        require(!early, "executed before the delay");
        vm.warp(block.timestamp + DELAY);
        governor.execute(targets, values, calldatas, keccak256(bytes(DESCRIPTION)));
        require(registry.isActiveSigner(address(0xA11CE)), "registered by the consortium");
    }

    function test_aMemberVotesOnce() public {
        _propose();
        _vote(a, 1);
        bytes memory again = abi.encodeCall(governor.castVote, (_id(), uint8(1)));
        _expectRevert(a, address(governor), again, IGovernor.GovernorAlreadyCastVote.selector);
    }
}
