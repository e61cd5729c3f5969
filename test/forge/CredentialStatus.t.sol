// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CredentialStatus} from "../../contracts/CredentialStatus.sol";
import {ParticipantGated} from "../../contracts/ParticipantGated.sol";
import {ParticipantRegistry} from "../../contracts/ParticipantRegistry.sol";
import {vm} from "./Vm.sol";

/// Wrong callers of every guarded CredentialStatus function revert with the error that names why.
contract CredentialStatusGuards {
    ParticipantRegistry registry;
    CredentialStatus status;
    address board = vm.addr(1);
    address hospital = vm.addr(2);
    address outsider = vm.addr(3);
    bytes32 constant LICENCE = keccak256("MedicalLicense");
    bytes32 constant CA = keccak256("US-CA");
    bytes32 constant ID = keccak256("credential-1");

    function setUp() public {
        registry = new ParticipantRegistry(address(this), 0);
        status = new CredentialStatus(registry);
        registry.register(keccak256("board"), ParticipantRegistry.Kind.LicensingBoard, board, bytes32(uint256(1)), "board", "");
        registry.register(keccak256("hospital"), ParticipantRegistry.Kind.Hospital, hospital, bytes32(uint256(1)), "hospital", "");
        status.setIssuerScope(keccak256("board"), LICENCE, CA, true);
        vm.prank(board);
        status.register(ID, LICENCE, CA, address(0xD0C), keccak256("document"));
    }

    /// Calls `data` on the contract as `caller` and requires a revert with error `selector`.
    function _reverts(address caller, bytes memory data, bytes4 selector) internal {
        vm.prank(caller);
        (bool ok, bytes memory err) = address(status).call(data);
        require(!ok, "a wrong caller succeeded");
        require(err.length >= 4 && bytes4(err) == selector, "reverted with another error");
    }

    function test_onlyRegistrarScopesIssuers() public {
        bytes memory scope = abi.encodeCall(status.setIssuerScope, (keccak256("hospital"), LICENCE, CA, true));
        _reverts(board, scope, CredentialStatus.NotRegistrar.selector);
        _reverts(hospital, scope, CredentialStatus.NotRegistrar.selector);
        _reverts(outsider, scope, CredentialStatus.NotRegistrar.selector);
    }

    function test_onlyScopedParticipantsRegister() public {
        _reverts(outsider, abi.encodeCall(status.register, (keccak256("c2"), LICENCE, CA, address(0xD0C), keccak256("d2"))), ParticipantGated.NotActiveParticipant.selector);
        _reverts(hospital, abi.encodeCall(status.register, (keccak256("c2"), LICENCE, CA, address(0xD0C), keccak256("d2"))), CredentialStatus.OutsideIssuerScope.selector);
        _reverts(board, abi.encodeCall(status.register, (keccak256("c2"), LICENCE, keccak256("US-NY"), address(0xD0C), keccak256("d2"))), CredentialStatus.OutsideIssuerScope.selector);
    }

    function test_onlyTheIssuerChangesStatus() public {
        bytes[3] memory calls = [abi.encodeCall(status.suspend, (ID)), abi.encodeCall(status.reinstate, (ID)), abi.encodeCall(status.revoke, (ID))];
        for (uint256 i = 0; i < 3; i++) {
            _reverts(outsider, calls[i], ParticipantGated.NotActiveParticipant.selector);
            _reverts(hospital, calls[i], CredentialStatus.NotIssuer.selector);
        }
        require(status.credential(ID).status == CredentialStatus.Status.Active, "a wrong caller changed the status");
    }

    function test_suspendedIssuerCannotChangeStatus() public {
        registry.suspend(keccak256("board"), "audit");
        _reverts(board, abi.encodeCall(status.revoke, (ID)), ParticipantGated.NotActiveParticipant.selector);
    }

    function test_theIssuerDoes() public {
        vm.prank(board);
        status.suspend(ID);
        require(status.credential(ID).status == CredentialStatus.Status.Suspended, "the issuer could not suspend");
    }
}
