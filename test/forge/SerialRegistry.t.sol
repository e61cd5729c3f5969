// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CredentialStatus} from "../../contracts/CredentialStatus.sol";
import {ParticipantGated} from "../../contracts/ParticipantGated.sol";
import {ParticipantRegistry} from "../../contracts/ParticipantRegistry.sol";
import {SerialRegistry} from "../../contracts/SerialRegistry.sol";
import {vm} from "./Vm.sol";

/// Custody, aggregation, status and licence rules of the SerialRegistry, on a 4-leaf batch:
/// a case C holding items I1 and I2, and a loose item I3.
contract SerialRegistryRules {
    ParticipantRegistry registry;
    CredentialStatus status;
    SerialRegistry serials;
    address board = vm.addr(1);
    address maker = vm.addr(2);
    address wholesaler = vm.addr(3);
    address pharmacy = vm.addr(4);
    address fda = vm.addr(5);
    address outsider = vm.addr(6);
    address otherPharmacy = vm.addr(7);
    bytes32 constant BOARD = keccak256("board");
    bytes32 constant MAKER = keccak256("maker");
    bytes32 constant WHOLESALER = keccak256("wholesaler");
    bytes32 constant PHARMACY = keccak256("pharmacy");
    bytes32 constant FDA = keccak256("fda");
    bytes32 constant OTHER = keccak256("other-pharmacy");
    bytes32 constant CA = keccak256("US-CA");
    bytes32 constant LOT = keccak256("lot-1");
    bytes32 constant TRADING = keccak256("carechain:credential-type:trading-licence");

    bytes32 cC = keccak256("case");
    bytes32 c1 = keccak256("item-1");
    bytes32 c2 = keccak256("item-2");
    bytes32 c3 = keccak256("item-3");
    bytes32 kC;
    bytes32 k1;
    bytes32 k2;
    bytes32 k3;
    bytes32[4] leaves;
    bytes32 root;

    function setUp() public {
        registry = new ParticipantRegistry(address(this), 0);
        status = new CredentialStatus(registry);
        serials = new SerialRegistry(registry, status);
        registry.register(BOARD, ParticipantRegistry.Kind.LicensingBoard, board, bytes32(uint256(1)), "board", "");
        registry.register(MAKER, ParticipantRegistry.Kind.Manufacturer, maker, bytes32(uint256(1)), "maker", "");
        registry.register(WHOLESALER, ParticipantRegistry.Kind.Distributor, wholesaler, bytes32(uint256(1)), "wholesaler", "");
        registry.register(PHARMACY, ParticipantRegistry.Kind.Pharmacy, pharmacy, bytes32(uint256(1)), "pharmacy", "");
        registry.register(FDA, ParticipantRegistry.Kind.Regulator, fda, bytes32(uint256(1)), "fda", "");
        registry.register(OTHER, ParticipantRegistry.Kind.Pharmacy, otherPharmacy, bytes32(uint256(1)), "other", "");
        require(serials.TRADING_LICENCE() == TRADING, "licence type");
        status.setIssuerScope(BOARD, TRADING, CA, true);
        _license(MAKER);
        _license(WHOLESALER);
        _license(PHARMACY);

        kC = serials.keyOf(MAKER, cC);
        k1 = serials.keyOf(MAKER, c1);
        k2 = serials.keyOf(MAKER, c2);
        k3 = serials.keyOf(MAKER, c3);
        leaves[0] = _leaf(cC, bytes32(0));
        leaves[1] = _leaf(c1, kC);
        leaves[2] = _leaf(c2, kC);
        leaves[3] = _leaf(c3, bytes32(0));
        root = _node(_node(leaves[0], leaves[1]), _node(leaves[2], leaves[3]));
        vm.prank(maker);
        serials.commission(LOT, root, 4);
    }

    function _license(bytes32 org) internal {
        bytes32 id = keccak256(abi.encode("licence", org));
        vm.prank(board);
        status.register(id, TRADING, CA, address(0xBEEF), keccak256("licence"));
        vm.prank(board);
        serials.bindLicence(org, id);
    }

    function _leaf(bytes32 commitment, bytes32 parent) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x00), abi.encode(LOT, commitment, parent)));
    }

    function _node(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x01), a, b));
    }

    /// The batch proof of leaf `i` of the 4-leaf tree.
    function _ref(uint64 i) internal view returns (SerialRegistry.UnitRef memory r) {
        bytes32[4] memory commitments = [cC, c1, c2, c3];
        bytes32[4] memory parents = [bytes32(0), kC, kC, bytes32(0)];
        bytes32[] memory proof = new bytes32[](2);
        proof[0] = leaves[i ^ 1];
        proof[1] = i < 2 ? _node(leaves[2], leaves[3]) : _node(leaves[0], leaves[1]);
        r = SerialRegistry.UnitRef(LOT, 0, i, commitments[i], parents[i], proof);
    }

    function _refs(uint64 a) internal view returns (SerialRegistry.UnitRef[] memory rs) {
        rs = new SerialRegistry.UnitRef[](1);
        rs[0] = _ref(a);
    }

    function _refs(uint64 a, uint64 b) internal view returns (SerialRegistry.UnitRef[] memory rs) {
        rs = new SerialRegistry.UnitRef[](2);
        rs[0] = _ref(a);
        rs[1] = _ref(b);
    }

    function _none() internal pure returns (SerialRegistry.UnitRef[] memory) {
        return new SerialRegistry.UnitRef[](0);
    }

    function _keys(bytes32 a) internal pure returns (bytes32[] memory ks) {
        ks = new bytes32[](1);
        ks[0] = a;
    }

    function _reverts(address caller, bytes memory data, bytes4 selector) internal {
        vm.prank(caller);
        (bool ok, bytes memory err) = address(serials).call(data);
        require(!ok, "the call succeeded");
        require(err.length >= 4 && bytes4(err) == selector, "reverted with another error");
    }

    function _holder(bytes32 key) internal view returns (bytes32 h) {
        (h,) = serials.holderOf(key);
    }

    /// Case to the wholesaler, opened there, one item to the pharmacy, dispensed.
    function _deliverItem1ToPharmacy() internal {
        SerialRegistry.UnitRef[] memory refs1 = _refs(0);
        vm.prank(maker);
        serials.ship(refs1, keccak256("s1"), WHOLESALER, _keys(kC));
        vm.prank(wholesaler);
        serials.confirmReceipt(keccak256("s1"));
        vm.prank(wholesaler);
        serials.unpack(_none(), kC);
        SerialRegistry.UnitRef[] memory refs2 = _refs(1);
        vm.prank(wholesaler);
        serials.ship(refs2, keccak256("s2"), PHARMACY, _keys(k1));
        vm.prank(pharmacy);
        serials.confirmReceipt(keccak256("s2"));
    }

    function test_onlyLicensedManufacturersCommission() public {
        bytes memory call = abi.encodeCall(serials.commission, (keccak256("lot-2"), root, 4));
        _reverts(wholesaler, call, SerialRegistry.WrongKind.selector);
        _reverts(outsider, call, ParticipantGated.NotActiveParticipant.selector);
        _reverts(maker, abi.encodeCall(serials.commission, (keccak256("lot-2"), bytes32(0), 4)), SerialRegistry.EmptyBatch.selector);
        vm.prank(maker);
        serials.commission(keccak256("lot-2"), root, 4);
        vm.prank(board);
        status.suspend(keccak256(abi.encode("licence", MAKER)));
        _reverts(maker, call, SerialRegistry.NotLicensed.selector);
    }

    function test_anotherManufacturerCannotAddToALot() public {
        registry.register(keccak256("rival"), ParticipantRegistry.Kind.Manufacturer, outsider, bytes32(uint256(1)), "rival", "");
        _license(keccak256("rival"));
        _reverts(outsider, abi.encodeCall(serials.commission, (LOT, root, 4)), SerialRegistry.NotLotManufacturer.selector);
    }

    function test_custodyPassesOnlyOnReceipt() public {
        SerialRegistry.UnitRef[] memory refs3 = _refs(0);
        vm.prank(maker);
        serials.ship(refs3, keccak256("s1"), WHOLESALER, _keys(kC));
        (bytes32 h, bytes32 inShipment) = serials.holderOf(kC);
        require(h == MAKER && inShipment == keccak256("s1"), "in transit: still the sender's");
        _reverts(wholesaler, abi.encodeCall(serials.ship, (_none(), keccak256("s9"), PHARMACY, _keys(kC))), SerialRegistry.InTransit.selector);
        _reverts(pharmacy, abi.encodeCall(serials.confirmReceipt, (keccak256("s1"))), SerialRegistry.ShipmentNotOpen.selector);
        vm.prank(wholesaler);
        serials.confirmReceipt(keccak256("s1"));
        require(_holder(kC) == WHOLESALER, "received: the receiver's");
        _reverts(wholesaler, abi.encodeCall(serials.confirmReceipt, (keccak256("s1"))), SerialRegistry.ShipmentNotOpen.selector);
        // The sealed items follow the case without a transaction of their own.
        SerialRegistry.UnitRef[] memory m8128 = _refs(1);
        vm.prank(maker);
        serials.materialize(m8128);
        require(_holder(k1) == WHOLESALER, "a sealed item follows its case");
    }

    function test_sealedUnitsMoveOnlyWithTheirContainer() public {
        SerialRegistry.UnitRef[] memory refs4 = _refs(0, 1);
        vm.prank(maker);
        serials.materialize(refs4);
        _reverts(maker, abi.encodeCall(serials.ship, (_none(), keccak256("s1"), WHOLESALER, _keys(k1))), SerialRegistry.Sealed.selector);
        vm.prank(maker);
        serials.unpack(_none(), kC);
        vm.prank(maker);
        serials.ship(_none(), keccak256("s1"), WHOLESALER, _keys(k1));
        _reverts(maker, abi.encodeCall(serials.ship, (_none(), keccak256("s2"), WHOLESALER, _keys(kC))), SerialRegistry.NotActive.selector);
    }

    function test_onlyTheHolderShipsAndOnlyToLicensedTraders() public {
        _reverts(wholesaler, abi.encodeCall(serials.ship, (_refs(3), keccak256("s1"), PHARMACY, _keys(k3))), SerialRegistry.NotHolder.selector);
        _reverts(maker, abi.encodeCall(serials.ship, (_refs(3), keccak256("s1"), OTHER, _keys(k3))), SerialRegistry.NotLicensed.selector);
        _reverts(maker, abi.encodeCall(serials.ship, (_refs(3), keccak256("s1"), FDA, _keys(k3))), SerialRegistry.WrongKind.selector);
        registry.suspend(PHARMACY, "licence lapsed");
        _reverts(maker, abi.encodeCall(serials.ship, (_refs(3), keccak256("s1"), PHARMACY, _keys(k3))), SerialRegistry.NotLicensed.selector);
    }

    function test_aSuspendedLicenceStopsReceiptAndTrade() public {
        SerialRegistry.UnitRef[] memory refs5 = _refs(3);
        vm.prank(maker);
        serials.ship(refs5, keccak256("s1"), WHOLESALER, _keys(k3));
        vm.prank(board);
        status.suspend(keccak256(abi.encode("licence", WHOLESALER)));
        require(!serials.mayTrade(WHOLESALER), "suspended licence");
        _reverts(wholesaler, abi.encodeCall(serials.confirmReceipt, (keccak256("s1"))), SerialRegistry.NotLicensed.selector);
        vm.prank(wholesaler);
        serials.cancelShipment(keccak256("s1"));
        require(_holder(k3) == MAKER, "a rejected shipment stays the sender's");
    }

    function test_dispensedUnitsNeverTradeAgain() public {
        _deliverItem1ToPharmacy();
        _reverts(wholesaler, abi.encodeCall(serials.decommission, (_none(), _keys(k1))), SerialRegistry.WrongKind.selector);
        vm.prank(pharmacy);
        serials.decommission(_none(), _keys(k1));
        require(serials.unit(k1).state == SerialRegistry.State.Dispensed, "dispensed");
        _reverts(pharmacy, abi.encodeCall(serials.ship, (_none(), keccak256("s3"), WHOLESALER, _keys(k1))), SerialRegistry.NotActive.selector);
        _reverts(pharmacy, abi.encodeCall(serials.decommission, (_none(), _keys(k1))), SerialRegistry.NotActive.selector);
    }

    function test_aRecallStopsDispensingButLetsTheUnitGoBack() public {
        _deliverItem1ToPharmacy();
        _reverts(pharmacy, abi.encodeCall(serials.setLotStatus, (LOT, SerialRegistry.Status.Recalled)), SerialRegistry.StatusNotAllowed.selector);
        vm.prank(maker);
        serials.setLotStatus(LOT, SerialRegistry.Status.Recalled);
        _reverts(pharmacy, abi.encodeCall(serials.decommission, (_none(), _keys(k1))), SerialRegistry.Blocked.selector);
        _reverts(pharmacy, abi.encodeCall(serials.ship, (_none(), keccak256("s3"), WHOLESALER, _keys(k1))), SerialRegistry.Blocked.selector);
        vm.prank(pharmacy);
        serials.ship(_none(), keccak256("s3"), MAKER, _keys(k1));
    }

    function test_statusRules() public {
        _deliverItem1ToPharmacy();
        SerialRegistry.Status s = SerialRegistry.Status.Suspect;
        _reverts(wholesaler, abi.encodeCall(serials.setStatus, (_none(), _keys(k1), s)), SerialRegistry.StatusNotAllowed.selector);
        _reverts(pharmacy, abi.encodeCall(serials.setStatus, (_none(), _keys(k1), SerialRegistry.Status.Illegitimate)), SerialRegistry.StatusNotAllowed.selector);
        vm.prank(pharmacy);
        serials.setStatus(_none(), _keys(k1), s); // the holder quarantines
        _reverts(pharmacy, abi.encodeCall(serials.decommission, (_none(), _keys(k1))), SerialRegistry.Blocked.selector);
        vm.prank(pharmacy);
        serials.setStatus(_none(), _keys(k1), SerialRegistry.Status.None); // and clears its own suspicion
        vm.prank(fda);
        serials.setStatus(_none(), _keys(k1), SerialRegistry.Status.Illegitimate);
        _reverts(pharmacy, abi.encodeCall(serials.setStatus, (_none(), _keys(k1), SerialRegistry.Status.None)), SerialRegistry.StatusNotAllowed.selector);
        vm.prank(fda);
        serials.setStatus(_none(), _keys(k1), SerialRegistry.Status.Destroyed);
        _reverts(fda, abi.encodeCall(serials.setStatus, (_none(), _keys(k1), SerialRegistry.Status.None)), SerialRegistry.StatusNotAllowed.selector);
    }

    function test_proofsMustLeadToTheBatchRoot() public {
        SerialRegistry.UnitRef[] memory rs = _refs(1);
        rs[0].index = 2;
        _reverts(maker, abi.encodeCall(serials.materialize, (rs)), SerialRegistry.BadProof.selector);
        rs = _refs(1);
        rs[0].commitment = keccak256("counterfeit");
        _reverts(maker, abi.encodeCall(serials.materialize, (rs)), SerialRegistry.BadProof.selector);
        _reverts(maker, abi.encodeCall(serials.materialize, (_refs(1))), SerialRegistry.UnknownUnit.selector); // parent first
        SerialRegistry.UnitRef[] memory m13486 = _refs(0, 1);
        vm.prank(maker);
        serials.materialize(m13486);
        require(serials.unit(k1).parent == kC, "materialized into its case");
    }

    function test_packingNeedsLooseHeldUnitsAndFreshKeys() public {
        SerialRegistry.UnitRef[] memory refs6 = _refs(3);
        vm.prank(maker);
        serials.materialize(refs6);
        _reverts(wholesaler, abi.encodeCall(serials.pack, (_none(), keccak256("tote"), _keys(k3))), SerialRegistry.NotHolder.selector);
        vm.prank(maker);
        bytes32 tote = serials.pack(_none(), keccak256("tote"), _keys(k3));
        require(serials.unit(k3).parent == tote && _holder(k3) == MAKER, "sealed in the tote");
        _reverts(maker, abi.encodeCall(serials.pack, (_none(), keccak256("tote-2"), _keys(kC))), SerialRegistry.UnknownUnit.selector);
        SerialRegistry.UnitRef[] memory m14266 = _refs(0);
        vm.prank(maker);
        serials.materialize(m14266);
        _reverts(maker, abi.encodeCall(serials.pack, (_none(), keccak256("tote"), _keys(kC))), SerialRegistry.UnitExists.selector);
    }

    function test_onlyRegistrarsAssignPrefixesAndOrgsDeclareTheirOwnLocations() public {
        _reverts(maker, abi.encodeCall(serials.setCompanyPrefix, ("0614141", MAKER)), SerialRegistry.NotRegistrar.selector);
        serials.setCompanyPrefix("0614141", MAKER);
        require(serials.companyPrefixOwner("0614141") == MAKER, "assigned");
        _reverts(address(this), abi.encodeCall(serials.setCompanyPrefix, ("06141a1", MAKER)), SerialRegistry.InvalidIdentifier.selector);
        _reverts(maker, abi.encodeCall(serials.declareLocation, ("061414100000", true)), SerialRegistry.InvalidIdentifier.selector);
        vm.prank(maker);
        serials.declareLocation("0614141000005", true);
    }

    function test_licencesAreBoundOnlyByTheirIssuer() public {
        bytes32 id = keccak256("other-licence");
        vm.prank(board);
        status.register(id, TRADING, CA, address(0xBEEF), keccak256("licence"));
        _reverts(maker, abi.encodeCall(serials.bindLicence, (OTHER, id)), SerialRegistry.InvalidLicence.selector);
        bytes32 wrongType = keccak256("medical");
        status.setIssuerScope(BOARD, wrongType, CA, true);
        vm.prank(board);
        status.register(wrongType, wrongType, CA, address(0xBEEF), keccak256("licence"));
        _reverts(board, abi.encodeCall(serials.bindLicence, (OTHER, wrongType)), SerialRegistry.InvalidLicence.selector);
        vm.prank(board);
        serials.bindLicence(OTHER, id);
        require(serials.mayTrade(OTHER), "licensed");
    }
}
