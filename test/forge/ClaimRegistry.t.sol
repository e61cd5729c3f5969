// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ClaimRegistry} from "../../contracts/ClaimRegistry.sol";
import {ParticipantGated} from "../../contracts/ParticipantGated.sol";
import {ParticipantRegistry} from "../../contracts/ParticipantRegistry.sol";
import {vm} from "./Vm.sol";

/// Every ClaimRegistry transition by its party, and every wrong party and wrong state refused.
contract ClaimRegistryTransitions {
    ParticipantRegistry registry;
    ClaimRegistry claims;
    address provider = vm.addr(1);
    address insurer = vm.addr(2);
    address otherOrg = vm.addr(3);
    address outsider = vm.addr(4);
    bytes32 constant PROVIDER = keccak256("clinic");
    bytes32 constant INSURER = keccak256("insurer");
    bytes32 constant OTHER = keccak256("other");
    bytes32 constant ID = keccak256("claim-1");
    bytes32 constant DOC = keccak256("doc");

    function setUp() public {
        registry = new ParticipantRegistry(address(this), 0);
        claims = new ClaimRegistry(registry);
        registry.register(PROVIDER, ParticipantRegistry.Kind.Clinic, provider, bytes32(uint256(1)), "clinic", "");
        registry.register(INSURER, ParticipantRegistry.Kind.Insurer, insurer, bytes32(uint256(1)), "insurer", "");
        registry.register(OTHER, ParticipantRegistry.Kind.Insurer, otherOrg, bytes32(uint256(1)), "other", "");
        vm.prank(provider);
        claims.submit(ID, INSURER, keccak256("claim"), keccak256("commitment"));
    }

    function _reverts(address caller, bytes memory data, bytes4 selector) internal {
        vm.prank(caller);
        (bool ok, bytes memory err) = address(claims).call(data);
        require(!ok, "a refused call succeeded");
        require(err.length >= 4 && bytes4(err) == selector, "reverted with another error");
    }

    function _ok(address caller, bytes memory data) internal {
        vm.prank(caller);
        (bool ok, ) = address(claims).call(data);
        require(ok, "an allowed call reverted");
    }

    function _state() internal view returns (ClaimRegistry.State) {
        return claims.claim(ID).state;
    }

    function test_submitStoresHashesOnly() public view {
        ClaimRegistry.Claim memory c = claims.claim(ID);
        require(c.provider == PROVIDER && c.insurer == INSURER, "parties");
        require(c.state == ClaimRegistry.State.Submitted, "state");
        require(c.patientCommitment == keccak256("commitment"), "commitment");
    }

    function test_submitRefusals() public {
        _reverts(outsider, abi.encodeCall(claims.submit, (keccak256("c2"), INSURER, DOC, DOC)), ParticipantGated.NotActiveParticipant.selector);
        _reverts(provider, abi.encodeCall(claims.submit, (ID, INSURER, DOC, DOC)), ClaimRegistry.ClaimExists.selector);
        _reverts(provider, abi.encodeCall(claims.submit, (keccak256("c2"), PROVIDER, DOC, DOC)), ClaimRegistry.BadInsurer.selector);
        _reverts(provider, abi.encodeCall(claims.submit, (keccak256("c2"), keccak256("nobody"), DOC, DOC)), ClaimRegistry.BadInsurer.selector);
        _reverts(provider, abi.encodeCall(claims.submit, (keccak256("c2"), INSURER, bytes32(0), DOC)), ClaimRegistry.ZeroHash.selector);
        _reverts(provider, abi.encodeCall(claims.submit, (keccak256("c2"), INSURER, DOC, bytes32(0))), ClaimRegistry.ZeroHash.selector);
    }

    function test_insurerMovesRefusedToOthers() public {
        bytes[5] memory calls = [
            abi.encodeCall(claims.pend, (ID, DOC)),
            abi.encodeCall(claims.approve, (ID, DOC)),
            abi.encodeCall(claims.deny, (ID, DOC)),
            abi.encodeCall(claims.pay, (ID, DOC)),
            abi.encodeCall(claims.recordDispute, (ID, DOC))
        ];
        for (uint256 i = 0; i < calls.length; i++) {
            _reverts(provider, calls[i], ClaimRegistry.WrongParty.selector);
            _reverts(otherOrg, calls[i], ClaimRegistry.WrongParty.selector);
            _reverts(outsider, calls[i], ParticipantGated.NotActiveParticipant.selector);
        }
        require(_state() == ClaimRegistry.State.Submitted, "a wrong party moved the claim");
    }

    function test_providerMovesRefusedToOthers() public {
        _reverts(insurer, abi.encodeCall(claims.voidClaim, (ID, DOC)), ClaimRegistry.WrongParty.selector);
        _reverts(otherOrg, abi.encodeCall(claims.voidClaim, (ID, DOC)), ClaimRegistry.WrongParty.selector);
        _reverts(outsider, abi.encodeCall(claims.voidClaim, (ID, DOC)), ParticipantGated.NotActiveParticipant.selector);
        _ok(insurer, abi.encodeCall(claims.deny, (ID, DOC)));
        _reverts(insurer, abi.encodeCall(claims.appeal, (ID, DOC)), ClaimRegistry.WrongParty.selector);
        _reverts(otherOrg, abi.encodeCall(claims.appeal, (ID, DOC)), ClaimRegistry.WrongParty.selector);
        require(_state() == ClaimRegistry.State.Denied, "a wrong party appealed");
    }

    function test_unknownClaim() public {
        _reverts(insurer, abi.encodeCall(claims.approve, (keccak256("none"), DOC)), ClaimRegistry.UnknownClaim.selector);
        _reverts(provider, abi.encodeCall(claims.voidClaim, (keccak256("none"), DOC)), ClaimRegistry.UnknownClaim.selector);
    }

    function test_submittedPendedApprovedPaid() public {
        _ok(insurer, abi.encodeCall(claims.pend, (ID, DOC)));
        require(_state() == ClaimRegistry.State.Pended, "pended");
        _reverts(insurer, abi.encodeCall(claims.pend, (ID, DOC)), ClaimRegistry.BadTransition.selector);
        _reverts(insurer, abi.encodeCall(claims.pay, (ID, DOC)), ClaimRegistry.BadTransition.selector);
        _ok(insurer, abi.encodeCall(claims.approve, (ID, DOC)));
        require(_state() == ClaimRegistry.State.Approved, "approved");
        _reverts(provider, abi.encodeCall(claims.voidClaim, (ID, DOC)), ClaimRegistry.BadTransition.selector);
        _reverts(provider, abi.encodeCall(claims.appeal, (ID, DOC)), ClaimRegistry.BadTransition.selector);
        _reverts(insurer, abi.encodeCall(claims.deny, (ID, DOC)), ClaimRegistry.BadTransition.selector);
        _reverts(insurer, abi.encodeCall(claims.pay, (ID, bytes32(0))), ClaimRegistry.ZeroHash.selector);
        _ok(insurer, abi.encodeCall(claims.pay, (ID, DOC)));
        require(_state() == ClaimRegistry.State.Paid, "paid");
        _reverts(insurer, abi.encodeCall(claims.approve, (ID, DOC)), ClaimRegistry.BadTransition.selector);
        _reverts(insurer, abi.encodeCall(claims.pay, (ID, DOC)), ClaimRegistry.BadTransition.selector);
        _ok(insurer, abi.encodeCall(claims.recordDispute, (ID, DOC)));
    }

    function test_deniedAppealedApproved() public {
        _ok(insurer, abi.encodeCall(claims.deny, (ID, DOC)));
        require(_state() == ClaimRegistry.State.Denied, "denied");
        _reverts(insurer, abi.encodeCall(claims.pay, (ID, DOC)), ClaimRegistry.BadTransition.selector);
        _ok(provider, abi.encodeCall(claims.appeal, (ID, DOC)));
        require(_state() == ClaimRegistry.State.Appealed, "appealed");
        _reverts(provider, abi.encodeCall(claims.appeal, (ID, DOC)), ClaimRegistry.BadTransition.selector);
        _ok(insurer, abi.encodeCall(claims.pend, (ID, DOC)));
        _ok(insurer, abi.encodeCall(claims.approve, (ID, DOC)));
        require(_state() == ClaimRegistry.State.Approved, "approved on appeal");
    }

    function test_voidThenNothing() public {
        _ok(provider, abi.encodeCall(claims.voidClaim, (ID, DOC)));
        require(_state() == ClaimRegistry.State.Voided, "voided");
        _reverts(insurer, abi.encodeCall(claims.approve, (ID, DOC)), ClaimRegistry.BadTransition.selector);
        _reverts(insurer, abi.encodeCall(claims.pend, (ID, DOC)), ClaimRegistry.BadTransition.selector);
        _reverts(insurer, abi.encodeCall(claims.recordDispute, (ID, DOC)), ClaimRegistry.BadTransition.selector);
        _reverts(provider, abi.encodeCall(claims.voidClaim, (ID, DOC)), ClaimRegistry.BadTransition.selector);
    }

    function test_suspendedInsurerRefused() public {
        registry.suspend(INSURER, "audit");
        _reverts(insurer, abi.encodeCall(claims.approve, (ID, DOC)), ParticipantGated.NotActiveParticipant.selector);
    }
}
