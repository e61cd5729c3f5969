// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantGated} from "../../contracts/ParticipantGated.sol";
import {ParticipantRegistry} from "../../contracts/ParticipantRegistry.sol";
import {TrialRegistry} from "../../contracts/TrialRegistry.sol";
import {vm} from "./Vm.sol";

/// Registration before enrollment, amendments as versions, re-consent, withdrawal, anchors.
contract TrialRegistryRules {
    ParticipantRegistry registry;
    TrialRegistry trials;
    address sponsor = vm.addr(1);
    address site = vm.addr(2);
    address otherSite = vm.addr(3);
    address outsider = vm.addr(4);
    bytes32 constant SPONSOR = keccak256("sponsor");
    bytes32 constant SITE = keccak256("site");
    bytes32 constant OTHER = keccak256("other-site");
    bytes32 constant STUDY = keccak256("study");
    bytes32 constant P1 = keccak256("protocol v1");
    bytes32 constant SUBJ = keccak256("subject");
    bytes32 constant GRANT = keccak256("grant");

    function setUp() public {
        registry = new ParticipantRegistry(address(this), 0);
        trials = new TrialRegistry(registry);
        registry.register(SPONSOR, ParticipantRegistry.Kind.ResearchSponsor, sponsor, bytes32(uint256(1)), "sponsor", "");
        registry.register(SITE, ParticipantRegistry.Kind.Hospital, site, bytes32(uint256(1)), "site", "");
        registry.register(OTHER, ParticipantRegistry.Kind.Hospital, otherSite, bytes32(uint256(1)), "other", "");
    }

    function _reverts(address caller, bytes memory data, bytes4 selector) internal {
        vm.prank(caller);
        (bool ok, bytes memory err) = address(trials).call(data);
        require(!ok, "the call succeeded");
        require(err.length >= 4 && bytes4(err) == selector, "reverted with another error");
    }

    function _register() internal {
        vm.prank(sponsor);
        trials.register(STUDY, P1);
    }

    function test_noEnrollmentBeforeRegistration() public {
        _reverts(site, abi.encodeCall(trials.enroll, (STUDY, SUBJ, 1, GRANT)), TrialRegistry.NotRegistered.selector);
        _reverts(site, abi.encodeCall(trials.anchorBatch, (STUDY, keccak256("root"), 1)), TrialRegistry.NotRegistered.selector);
        _register();
        vm.prank(site);
        trials.enroll(STUDY, SUBJ, 1, GRANT);
        require(trials.mayUse(STUDY, SUBJ), "usable after enrollment");
    }

    function test_registrationIsOnceAndOnlyByParticipants() public {
        _reverts(outsider, abi.encodeCall(trials.register, (STUDY, P1)), ParticipantGated.NotActiveParticipant.selector);
        _reverts(sponsor, abi.encodeCall(trials.register, (STUDY, bytes32(0))), TrialRegistry.ZeroHash.selector);
        _register();
        _reverts(site, abi.encodeCall(trials.register, (STUDY, keccak256("other"))), TrialRegistry.AlreadyRegistered.selector);
        require(trials.protocolOf(STUDY, 1) == P1, "version 1 kept");
    }

    function test_amendmentsAreVersionsOnlyBySponsor() public {
        _register();
        _reverts(site, abi.encodeCall(trials.amend, (STUDY, keccak256("v2"), keccak256("why"), false)), TrialRegistry.NotSponsor.selector);
        _reverts(sponsor, abi.encodeCall(trials.amend, (STUDY, keccak256("v2"), bytes32(0), false)), TrialRegistry.ZeroHash.selector);
        vm.prank(sponsor);
        require(trials.amend(STUDY, keccak256("v2"), keccak256("why"), false) == 2, "version 2");
        require(trials.protocolOf(STUDY, 1) == P1, "version 1 unchanged");
        require(trials.protocolOf(STUDY, 2) == keccak256("v2"), "version 2 kept");
        // Enrollment must name the version in force.
        _reverts(site, abi.encodeCall(trials.enroll, (STUDY, SUBJ, 1, GRANT)), TrialRegistry.NotVersionInForce.selector);
    }

    function test_materialAmendmentRequiresReconsent() public {
        _register();
        vm.prank(site);
        trials.enroll(STUDY, SUBJ, 1, GRANT);
        vm.prank(sponsor);
        trials.amend(STUDY, keccak256("v2"), keccak256("minor"), false);
        require(trials.mayUse(STUDY, SUBJ), "a non-material amendment keeps consent");
        vm.prank(sponsor);
        trials.amend(STUDY, keccak256("v3"), keccak256("new biopsy"), true);
        require(!trials.mayUse(STUDY, SUBJ), "a material amendment suspends use");
        _reverts(otherSite, abi.encodeCall(trials.enroll, (STUDY, SUBJ, 3, GRANT)), TrialRegistry.NotSiteOrSponsor.selector);
        vm.prank(site);
        trials.enroll(STUDY, SUBJ, 3, keccak256("grant v3"));
        require(trials.mayUse(STUDY, SUBJ), "re-consent restores use");
    }

    function test_withdrawalStopsUse() public {
        _register();
        _reverts(site, abi.encodeCall(trials.withdraw, (STUDY, SUBJ)), TrialRegistry.NotEnrolled.selector);
        vm.prank(site);
        trials.enroll(STUDY, SUBJ, 1, GRANT);
        _reverts(otherSite, abi.encodeCall(trials.withdraw, (STUDY, SUBJ)), TrialRegistry.NotSiteOrSponsor.selector);
        vm.roll(42);
        vm.prank(site);
        trials.withdraw(STUDY, SUBJ);
        require(!trials.mayUse(STUDY, SUBJ), "withdrawn");
        (,, uint64 withdrawnAt) = trials.subjects(STUDY, SUBJ);
        require(withdrawnAt == 42, "withdrawal block kept");
        _reverts(site, abi.encodeCall(trials.enroll, (STUDY, SUBJ, 1, GRANT)), TrialRegistry.Withdrawn.selector);
        _reverts(sponsor, abi.encodeCall(trials.withdraw, (STUDY, SUBJ)), TrialRegistry.Withdrawn.selector);
    }

    function test_batchesAndDatasetsAreNumbered() public {
        _register();
        _reverts(site, abi.encodeCall(trials.anchorBatch, (STUDY, keccak256("r"), 0)), TrialRegistry.Empty.selector);
        vm.prank(site);
        require(trials.anchorBatch(STUDY, keccak256("r0"), 3) == 0, "batch 0");
        vm.prank(otherSite);
        require(trials.anchorBatch(STUDY, keccak256("r1"), 2) == 1, "batch 1");
        vm.prank(site);
        require(trials.anchorDataset(STUDY, keccak256("m"), 10) == 0, "dataset 0");
        _reverts(outsider, abi.encodeCall(trials.anchorDataset, (STUDY, keccak256("m"), 10)), ParticipantGated.NotActiveParticipant.selector);
    }

    function testFuzz_versionsOnlyGrow(uint8 n, bool[8] calldata material) public {
        _register();
        uint32 last = 1;
        for (uint256 i = 0; i < n % 8; i++) {
            vm.prank(sponsor);
            uint32 v = trials.amend(STUDY, keccak256(abi.encode(i)), keccak256("r"), material[i]);
            require(v == last + 1, "versions increase by one");
            require(trials.protocolOf(STUDY, 1) == P1, "version 1 never changes");
            last = v;
        }
    }
}
