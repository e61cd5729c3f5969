// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CredentialStatus} from "../../contracts/CredentialStatus.sol";
import {PractitionerAffiliations} from "../../contracts/PractitionerAffiliations.sol";
import {ParticipantRegistry} from "../../contracts/ParticipantRegistry.sol";
import {vm} from "./Vm.sol";

/// An organization acts for a practitioner only with the holder's own signature naming it (issue #11.1).
contract PractitionerAffiliationsTest {
    ParticipantRegistry registry;
    CredentialStatus status;
    PractitionerAffiliations affiliations;
    address board = vm.addr(1);
    address hospital = vm.addr(2);
    address rogue = vm.addr(3);
    uint256 constant HOLDER_KEY = 0xD0C70;
    bytes32 constant LICENCE = keccak256("MedicalLicense");
    bytes32 constant CA = keccak256("US-CA");
    bytes32 constant ID = keccak256("credential-1");
    bytes32 constant HOSPITAL = keccak256("hospital");
    bytes32 constant ROGUE = keccak256("rogue");

    function setUp() public {
        vm.warp(1_000_000);
        registry = new ParticipantRegistry(address(this), 0);
        status = new CredentialStatus(registry);
        affiliations = new PractitionerAffiliations(registry, status);
        registry.register(keccak256("board"), ParticipantRegistry.Kind.LicensingBoard, board, bytes32(uint256(1)), "board", "");
        registry.register(HOSPITAL, ParticipantRegistry.Kind.Hospital, hospital, bytes32(uint256(1)), "hospital", "");
        registry.register(ROGUE, ParticipantRegistry.Kind.Clinic, rogue, bytes32(uint256(1)), "rogue", "");
        status.setIssuerScope(keccak256("board"), LICENCE, CA, true);
        vm.prank(board);
        status.register(ID, LICENCE, CA, vm.addr(HOLDER_KEY), keccak256("document"));
    }

    function _sig(uint256 key, bytes32 org, uint64 until, uint256 nonce) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, affiliations.affiliationDigest(org, ID, until, nonce));
        return abi.encodePacked(r, s, v);
    }

    function _affiliate(address caller, bytes memory sig, uint64 until, uint256 nonce) internal returns (bool ok, bytes memory err) {
        vm.prank(caller);
        (ok, err) = address(affiliations).call(abi.encodeCall(affiliations.affiliate, (ID, until, nonce, sig)));
    }

    function test_holderSignatureAffiliatesTheNamedOrganization() public {
        uint64 until = uint64(block.timestamp + 1 days);
        (bool ok,) = _affiliate(hospital, _sig(HOLDER_KEY, HOSPITAL, until, 0), until, 0);
        require(ok, "the holder's signature is accepted");
        require(affiliations.isAffiliated(HOSPITAL, ID), "affiliated");
        require(!affiliations.isAffiliated(ROGUE, ID), "only the named organization");
    }

    function test_anotherOrganizationCannotReuseOrForge() public {
        uint64 until = uint64(block.timestamp + 1 days);
        // The hospital's signature presented by the rogue organization: it names the hospital.
        (bool ok, bytes memory err) = _affiliate(rogue, _sig(HOLDER_KEY, HOSPITAL, until, 0), until, 0);
        require(!ok && bytes4(err) == PractitionerAffiliations.NotTheHolder.selector, "a signature for another organization is refused");
        // A signature by any key but the holder's.
        (ok, err) = _affiliate(rogue, _sig(0xBAD, ROGUE, until, 0), until, 0);
        require(!ok && bytes4(err) == PractitionerAffiliations.NotTheHolder.selector, "a forged signature is refused");
        require(!affiliations.isAffiliated(ROGUE, ID), "not affiliated");
    }

    function test_replaySuspendedAndExpiry() public {
        uint64 until = uint64(block.timestamp + 1 days);
        bytes memory sig = _sig(HOLDER_KEY, HOSPITAL, until, 0);
        (bool ok,) = _affiliate(hospital, sig, until, 0);
        require(ok, "first use");
        (ok,) = _affiliate(hospital, sig, until, 0);
        require(!ok, "a nonce is used once");
        vm.prank(board);
        status.suspend(ID);
        (ok,) = _affiliate(hospital, _sig(HOLDER_KEY, HOSPITAL, until, 1), until, 1);
        require(!ok, "a suspended credential cannot be affiliated");
        vm.warp(block.timestamp + 2 days);
        require(!affiliations.isAffiliated(HOSPITAL, ID), "an affiliation expires");
    }

    function test_organizationEndsItsAffiliation() public {
        uint64 until = uint64(block.timestamp + 1 days);
        (bool ok,) = _affiliate(hospital, _sig(HOLDER_KEY, HOSPITAL, until, 0), until, 0);
        require(ok, "affiliated");
        vm.prank(hospital);
        affiliations.end(ID);
        require(!affiliations.isAffiliated(HOSPITAL, ID), "ended");
    }
}
