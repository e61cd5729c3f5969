// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CredentialStatus} from "./CredentialStatus.sol";
import {ParticipantGated} from "./ParticipantGated.sol";
import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title SerialRegistry
/// @author Carechain
/// @notice The facts of the drug and device supply chain (DSCSA) that every trading partner must trust
/// at once: which serialized units a manufacturer commissioned, who holds each unit, how it moved
/// (ship, then receive: two steps), when it was dispensed, and whether it is recalled, stolen,
/// destroyed, suspect or illegitimate.
///
/// No product identifier is on chain. A unit is known by an opaque key, sha256(creator, commitment),
/// where the commitment is a salted hash of its GTIN and serial (or SSCC) that only the parties who
/// handled the unit learn. A lot is an opaque id, and its serials are committed as RFC 6962 Merkle
/// roots, one per batch of up to millions of units: a unit appears on chain only when it is acted on
/// alone ("materialized" with an inclusion proof). Units sealed in a container follow the container.
///
/// Only registered, active organizations of the right kind whose trading licence (a credential in
/// CredentialStatus bound here by its issuer) is active may commission, ship, receive or dispense.
contract SerialRegistry is ParticipantGated {
    /// @notice Type id of a trading licence in CredentialStatus (state wholesale, manufacturer, pharmacy licences).
    bytes32 public constant TRADING_LICENCE = keccak256("carechain:credential-type:trading-licence");
    /// @notice The registrar role of the ParticipantRegistry, whose holders assign GS1 company prefixes.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// @notice Where a unit is in its life; None means the unit was never materialized.
    enum State {
        None,
        Active,
        Unpacked,
        Dispensed
    }

    /// @notice A unit's or lot's regulatory status; None means in good standing.
    enum Status {
        None,
        Recalled,
        Stolen,
        Destroyed,
        Suspect,
        Illegitimate
    }

    /// @notice Where a shipment is.
    enum ShipmentState {
        None,
        Shipped,
        Received,
        Cancelled,
        Rejected
    }

    /// @notice A unit acted on at least once (materialized).
    struct Unit {
        bytes32 owner; // holder when loose and not in a shipment (see holderOf)
        bytes32 parent; // the container it was sealed in, if any
        bytes32 shipment; // the last shipment it left in
        bytes32 lotId; // its lot (zero for a container packed after commissioning)
        bytes32 creator; // who made a container packed after commissioning (zero otherwise)
        bytes32 statusBy; // who set its status
        State state;
        Status status;
        uint64 changedBlock;
    }

    /// @notice A lot: its manufacturer, status and commissioned batches.
    struct Lot {
        bytes32 manufacturer;
        Status status;
        bytes32 statusBy;
        uint32 batches;
    }

    /// @notice A batch of commissioned units: the RFC 6962 root of its leaves and how many there are.
    struct Batch {
        bytes32 root;
        uint64 count;
    }

    /// @notice A two-step transfer of custody.
    struct Shipment {
        bytes32 from;
        bytes32 to;
        ShipmentState state;
        uint32 count;
        uint64 shippedBlock;
        uint64 settledBlock;
    }

    /// @notice A commissioned unit not materialized yet, with the proof of its batch leaf
    /// sha256(0x00 || abi.encode(lotId, commitment, parent)).
    struct UnitRef {
        bytes32 lotId;
        uint32 batch;
        uint64 index;
        bytes32 commitment;
        bytes32 parent;
        bytes32[] proof;
    }

    uint16 private constant _MANUFACTURER = uint16(1) << uint8(ParticipantRegistry.Kind.Manufacturer);
    uint16 private constant _DISTRIBUTOR = uint16(1) << uint8(ParticipantRegistry.Kind.Distributor);
    uint16 private constant _PHARMACY = uint16(1) << uint8(ParticipantRegistry.Kind.Pharmacy);
    uint16 private constant _HOSPITAL = uint16(1) << uint8(ParticipantRegistry.Kind.Hospital);
    uint16 private constant _CLINIC = uint16(1) << uint8(ParticipantRegistry.Kind.Clinic);
    /// Kinds that trade (ship and receive): manufacturers, wholesale distributors and dispensers.
    uint16 private constant _TRADERS = _MANUFACTURER | _DISTRIBUTOR | _PHARMACY | _HOSPITAL | _CLINIC;
    /// Kinds that dispense to patients.
    uint16 private constant _DISPENSERS = _PHARMACY | _HOSPITAL | _CLINIC;

    /// @notice The registry of credential status that trading licences live in.
    CredentialStatus public immutable credentials;

    mapping(bytes32 => Unit) private _units;
    mapping(bytes32 => Lot) private _lots;
    mapping(bytes32 => mapping(uint256 => Batch)) private _batches;
    mapping(bytes32 => Shipment) private _shipments;
    /// @notice The trading licence (a CredentialStatus credential id) of each organization.
    mapping(bytes32 => bytes32) public licenceOf;
    /// @notice The organization a GS1 company prefix is assigned to.
    mapping(string => bytes32) public companyPrefixOwner;

    /// @notice Governance assigned (or, with orgId zero, withdrew) a GS1 company prefix.
    /// @param prefix The GS1 company prefix (6-12 digits).
    /// @param orgId The organization it belongs to.
    event CompanyPrefixSet(string prefix, bytes32 indexed orgId);
    /// @notice An organization declared (or withdrew) one of its locations.
    /// @param orgId The organization.
    /// @param gln The location's GLN.
    /// @param active Whether it is in use.
    event LocationDeclared(bytes32 indexed orgId, string gln, bool active);
    /// @notice A licence issuer bound a trading licence to an organization.
    /// @param orgId The licensed organization.
    /// @param credentialId The licence in CredentialStatus.
    /// @param issuer The issuing organization.
    event LicenceBound(bytes32 indexed orgId, bytes32 indexed credentialId, bytes32 issuer);
    /// @notice A manufacturer committed a batch of a lot's units.
    /// @param lotId The opaque lot id.
    /// @param manufacturer The manufacturer.
    /// @param batch The batch's position in the lot.
    /// @param root RFC 6962 root of the batch's leaves.
    /// @param count Number of leaves.
    event Commissioned(bytes32 indexed lotId, bytes32 indexed manufacturer, uint256 batch, bytes32 root, uint64 count);
    /// @notice A commissioned unit was acted on alone for the first time.
    /// @param key The unit's key.
    /// @param lotId Its lot.
    /// @param parent The container it was commissioned into (zero if none).
    event UnitMaterialized(bytes32 indexed key, bytes32 indexed lotId, bytes32 parent);
    /// @notice Units were sealed into a new container.
    /// @param container The container's key.
    /// @param org The packer (and holder).
    /// @param children The units inside.
    event Packed(bytes32 indexed container, bytes32 indexed org, bytes32[] children);
    /// @notice A container was opened: its units may now move alone.
    /// @param container The container's key.
    /// @param org Its holder.
    event Unpacked(bytes32 indexed container, bytes32 indexed org);
    /// @notice Units left their holder for another organization (custody passes on receipt).
    /// @param shipmentId The shipment.
    /// @param from The sender.
    /// @param to The receiver.
    /// @param keys The top-level units shipped (contents follow their containers).
    event Shipped(bytes32 indexed shipmentId, bytes32 indexed from, bytes32 indexed to, bytes32[] keys);
    /// @notice The receiver confirmed a shipment: it now holds the units.
    /// @param shipmentId The shipment.
    /// @param to The receiver.
    event ShipmentReceived(bytes32 indexed shipmentId, bytes32 indexed to);
    /// @notice A shipment was cancelled by its sender or rejected by its receiver: the sender keeps the units.
    /// @param shipmentId The shipment.
    /// @param by Who ended it.
    /// @param rejected True if the receiver rejected it.
    event ShipmentCancelled(bytes32 indexed shipmentId, bytes32 indexed by, bool rejected);
    /// @notice A unit was dispensed (decommissioned): it may never be traded again.
    /// @param key The unit.
    /// @param org The dispenser.
    event Decommissioned(bytes32 indexed key, bytes32 indexed org);
    /// @notice A unit's status changed.
    /// @param key The unit.
    /// @param status The new status.
    /// @param by Who set it.
    event StatusChanged(bytes32 indexed key, Status status, bytes32 indexed by);
    /// @notice A lot's status changed (a recall covers every unit of the lot).
    /// @param lotId The lot.
    /// @param status The new status.
    /// @param by Who set it.
    event LotStatusChanged(bytes32 indexed lotId, Status status, bytes32 indexed by);

    /// @notice Only registrars assign company prefixes.
    /// @param caller The caller.
    error NotRegistrar(address caller);
    /// @notice A company prefix has 6 to 12 digits; a GLN has 13.
    error InvalidIdentifier();
    /// @notice Only the licence's issuer binds it, and only an active trading licence.
    /// @param credentialId The licence.
    error InvalidLicence(bytes32 credentialId);
    /// @notice The organization is not of a kind that may do this.
    /// @param orgId The organization.
    error WrongKind(bytes32 orgId);
    /// @notice The organization is not active or its trading licence is not active.
    /// @param orgId The organization.
    error NotLicensed(bytes32 orgId);
    /// @notice The lot belongs to another manufacturer.
    /// @param lotId The lot.
    error NotLotManufacturer(bytes32 lotId);
    /// @notice A batch needs a root and at least one leaf.
    error EmptyBatch();
    /// @notice No such lot or batch.
    /// @param lotId The lot.
    /// @param batch The batch.
    error UnknownBatch(bytes32 lotId, uint256 batch);
    /// @notice The inclusion proof does not lead to the batch root.
    /// @param key The unit the proof was for.
    error BadProof(bytes32 key);
    /// @notice The unit was never materialized (pass its UnitRef).
    /// @param key The unit.
    error UnknownUnit(bytes32 key);
    /// @notice The key is taken.
    /// @param key The key.
    error UnitExists(bytes32 key);
    /// @notice The caller does not hold the unit.
    /// @param key The unit.
    /// @param holder Who does.
    error NotHolder(bytes32 key, bytes32 holder);
    /// @notice The unit is sealed in a container that is not open.
    /// @param key The unit.
    /// @param container The container.
    error Sealed(bytes32 key, bytes32 container);
    /// @notice The unit is in a shipment not yet received.
    /// @param key The unit.
    /// @param shipmentId The shipment.
    error InTransit(bytes32 key, bytes32 shipmentId);
    /// @notice The unit is not active (dispensed, or an opened container).
    /// @param key The unit.
    /// @param state Its state.
    error NotActive(bytes32 key, State state);
    /// @notice The unit or its lot has a status that stops this (quarantine, recall, theft, ...).
    /// @param key The unit.
    /// @param status The status.
    error Blocked(bytes32 key, Status status);
    /// @notice Nothing to do.
    error Empty();
    /// @notice The shipment id is taken, or the sender ships to itself.
    /// @param shipmentId The shipment.
    error InvalidShipment(bytes32 shipmentId);
    /// @notice The shipment is not in a state that allows this, or the caller is not its party.
    /// @param shipmentId The shipment.
    error ShipmentNotOpen(bytes32 shipmentId);
    /// @notice The caller may not set (or clear) this status.
    /// @param key The unit or lot.
    /// @param status The status asked for.
    error StatusNotAllowed(bytes32 key, Status status);

    /// @notice Deploys the contract.
    /// @param registry The ParticipantRegistry to trust.
    /// @param credentialStatus The CredentialStatus registry trading licences live in.
    constructor(ParticipantRegistry registry, CredentialStatus credentialStatus) ParticipantGated(registry) {
        credentials = credentialStatus;
    }

    // ------------------------------------------------------------------ governance and organizations

    /// @notice Assigns a GS1 company prefix to an organization, or withdraws it with orgId zero (registrars only).
    /// @param prefix The company prefix, 6-12 digits.
    /// @param orgId The organization.
    function setCompanyPrefix(string calldata prefix, bytes32 orgId) external {
        if (!participants.hasRole(REGISTRAR_ROLE, msg.sender)) revert NotRegistrar(msg.sender);
        uint256 n = bytes(prefix).length;
        if (n < 6 || n > 12 || !_digits(prefix)) revert InvalidIdentifier();
        companyPrefixOwner[prefix] = orgId;
        emit CompanyPrefixSet(prefix, orgId);
    }

    /// @notice Declares (or withdraws) a location of the calling organization by its GLN.
    /// @param gln The 13-digit GLN.
    /// @param active Whether it is in use.
    function declareLocation(string calldata gln, bool active) external {
        bytes32 org = _callerOrg();
        if (bytes(gln).length != 13 || !_digits(gln)) revert InvalidIdentifier();
        emit LocationDeclared(org, gln, active);
    }

    /// @notice Binds an active trading licence to an organization (the licence's issuer only).
    /// @param orgId The licensed organization.
    /// @param credentialId The licence, registered in CredentialStatus with type TRADING_LICENCE.
    function bindLicence(bytes32 orgId, bytes32 credentialId) external {
        bytes32 issuer = _callerOrg();
        CredentialStatus.Credential memory c = credentials.credential(credentialId);
        if (c.issuer != issuer || c.credentialType != TRADING_LICENCE || c.status != CredentialStatus.Status.Active) {
            revert InvalidLicence(credentialId);
        }
        licenceOf[orgId] = credentialId;
        emit LicenceBound(orgId, credentialId, issuer);
    }

    // ------------------------------------------------------------------ commissioning

    /// @notice Commits a batch of a lot's units (a licensed manufacturer only; the lot's own, if it exists).
    /// @param lotId The opaque lot id.
    /// @param root RFC 6962 root of the batch's leaves.
    /// @param count Number of leaves.
    function commission(bytes32 lotId, bytes32 root, uint64 count) external {
        bytes32 org = _trader(_MANUFACTURER);
        if (root == bytes32(0) || count == 0) revert EmptyBatch();
        Lot storage lotRec = _lots[lotId];
        if (lotRec.manufacturer == bytes32(0)) lotRec.manufacturer = org;
        else if (lotRec.manufacturer != org) revert NotLotManufacturer(lotId);
        uint256 index = lotRec.batches;
        lotRec.batches = uint32(index + 1);
        _batches[lotId][index] = Batch(root, count);
        emit Commissioned(lotId, org, index, root, count);
    }

    /// @notice Materializes commissioned units (parents before children), so their state is on chain.
    /// @param refs The units with their batch proofs.
    function materialize(UnitRef[] calldata refs) external {
        _callerOrg();
        _materializeAll(refs);
    }

    // ------------------------------------------------------------------ aggregation

    /// @notice Seals units the caller holds into a new container (a licensed trader only).
    /// @param refs Units to materialize first.
    /// @param commitment The container's commitment; its key is sha256(caller, commitment).
    /// @param children The units to seal, each loose, active, in good standing and held by the caller.
    /// @return container The container's key.
    function pack(UnitRef[] calldata refs, bytes32 commitment, bytes32[] calldata children) external returns (bytes32 container) {
        bytes32 org = _trader(_TRADERS);
        _materializeAll(refs);
        if (children.length == 0) revert Empty();
        container = _key(org, commitment);
        if (_units[container].state != State.None) revert UnitExists(container);
        Unit storage c = _units[container];
        c.owner = org;
        c.creator = org;
        c.state = State.Active;
        c.changedBlock = uint64(block.number);
        for (uint256 i = 0; i < children.length; ++i) {
            Unit storage u = _movable(children[i], org, false);
            u.parent = container;
            u.shipment = bytes32(0);
            u.changedBlock = uint64(block.number);
        }
        emit Packed(container, org, children);
    }

    /// @notice Opens a container the caller holds: its units may then move alone.
    /// @param refs Units to materialize first.
    /// @param container The container's key.
    function unpack(UnitRef[] calldata refs, bytes32 container) external {
        bytes32 org = _trader(_TRADERS);
        _materializeAll(refs);
        Unit storage c = _movable(container, org, false);
        c.state = State.Unpacked;
        c.changedBlock = uint64(block.number);
        emit Unpacked(container, org);
    }

    // ------------------------------------------------------------------ custody

    /// @notice Ships loose units the caller holds to another licensed trader; custody passes when it receives.
    /// A recalled unit may only go back to its manufacturer.
    /// @param refs Units to materialize first.
    /// @param shipmentId A fresh shipment id.
    /// @param to The receiving organization.
    /// @param keys The top-level units (containers carry their contents).
    function ship(UnitRef[] calldata refs, bytes32 shipmentId, bytes32 to, bytes32[] calldata keys) external {
        bytes32 org = _trader(_TRADERS);
        _requireTrader(to, _TRADERS);
        if (keys.length == 0) revert Empty();
        if (shipmentId == bytes32(0) || _shipments[shipmentId].state != ShipmentState.None || to == org) revert InvalidShipment(shipmentId);
        _materializeAll(refs);
        for (uint256 i = 0; i < keys.length; ++i) {
            Unit storage u = _movable(keys[i], org, true);
            if (_recalled(u) && to != _manufacturerOf(u)) revert Blocked(keys[i], Status.Recalled);
            u.shipment = shipmentId;
            u.changedBlock = uint64(block.number);
        }
        _shipments[shipmentId] = Shipment(org, to, ShipmentState.Shipped, uint32(keys.length), uint64(block.number), 0);
        emit Shipped(shipmentId, org, to, keys);
    }

    /// @notice Confirms receipt of a shipment (its licensed receiver only): the receiver now holds its units.
    /// @param shipmentId The shipment.
    function confirmReceipt(bytes32 shipmentId) external {
        Shipment storage s = _shipments[shipmentId];
        bytes32 org = _trader(_TRADERS);
        if (s.state != ShipmentState.Shipped || s.to != org) revert ShipmentNotOpen(shipmentId);
        s.state = ShipmentState.Received;
        s.settledBlock = uint64(block.number);
        emit ShipmentReceived(shipmentId, org);
    }

    /// @notice Cancels a shipment not yet received (its sender) or rejects it (its receiver): the sender keeps the units.
    /// @param shipmentId The shipment.
    function cancelShipment(bytes32 shipmentId) external {
        Shipment storage s = _shipments[shipmentId];
        bytes32 org = _callerOrg();
        if (s.state != ShipmentState.Shipped || (org != s.from && org != s.to)) revert ShipmentNotOpen(shipmentId);
        bool rejected = org == s.to;
        s.state = rejected ? ShipmentState.Rejected : ShipmentState.Cancelled;
        s.settledBlock = uint64(block.number);
        emit ShipmentCancelled(shipmentId, org, rejected);
    }

    /// @notice Records that loose units the caller holds were dispensed (licensed dispensers only).
    /// @param refs Units to materialize first.
    /// @param keys The units dispensed.
    function decommission(UnitRef[] calldata refs, bytes32[] calldata keys) external {
        bytes32 org = _trader(_DISPENSERS);
        _materializeAll(refs);
        if (keys.length == 0) revert Empty();
        for (uint256 i = 0; i < keys.length; ++i) {
            Unit storage u = _movable(keys[i], org, false);
            u.state = State.Dispensed;
            u.changedBlock = uint64(block.number);
            emit Decommissioned(keys[i], org);
        }
    }

    // ------------------------------------------------------------------ status

    /// @notice Sets units' status. The manufacturer and regulators set any status; the holder may report
    /// a unit Stolen, Suspect (quarantine) or Destroyed. Clearing (None) is for the manufacturer, regulators,
    /// or whoever set a Suspect or Stolen status. Destroyed is final.
    /// @param refs Units to materialize first.
    /// @param keys The units.
    /// @param status The new status.
    function setStatus(UnitRef[] calldata refs, bytes32[] calldata keys, Status status) external {
        bytes32 org = _callerOrg();
        _materializeAll(refs);
        if (keys.length == 0) revert Empty();
        bool authority = _isRegulator(org);
        for (uint256 i = 0; i < keys.length; ++i) {
            Unit storage u = _units[keys[i]];
            if (u.state == State.None) revert UnknownUnit(keys[i]);
            bool allowed = authority || _manufacturerOf(u) == org;
            if (u.status == Status.Destroyed) allowed = false;
            else if (!allowed && status == Status.None) {
                allowed = u.statusBy == org && (u.status == Status.Suspect || u.status == Status.Stolen);
            } else if (!allowed && (status == Status.Stolen || status == Status.Suspect || status == Status.Destroyed)) {
                (bytes32 holder,) = _holder(keys[i]);
                allowed = holder == org;
            }
            if (!allowed) revert StatusNotAllowed(keys[i], status);
            u.status = status;
            u.statusBy = org;
            u.changedBlock = uint64(block.number);
            emit StatusChanged(keys[i], status, org);
        }
    }

    /// @notice Sets a lot's status, e.g. a recall of every unit of the lot (its manufacturer or a regulator).
    /// @param lotId The lot.
    /// @param status The new status.
    function setLotStatus(bytes32 lotId, Status status) external {
        bytes32 org = _callerOrg();
        Lot storage lotRec = _lots[lotId];
        if (lotRec.manufacturer == bytes32(0)) revert UnknownBatch(lotId, 0);
        if (lotRec.manufacturer != org && !_isRegulator(org)) revert StatusNotAllowed(lotId, status);
        lotRec.status = status;
        lotRec.statusBy = org;
        emit LotStatusChanged(lotId, status, org);
    }

    // ------------------------------------------------------------------ views

    /// @notice A materialized unit (state None if it never was).
    /// @param key The unit.
    /// @return The unit.
    function unit(bytes32 key) external view returns (Unit memory) {
        return _units[key];
    }

    /// @notice A lot.
    /// @param lotId The lot.
    /// @return The lot (manufacturer zero if unknown).
    function lot(bytes32 lotId) external view returns (Lot memory) {
        return _lots[lotId];
    }

    /// @notice A commissioned batch.
    /// @param lotId The lot.
    /// @param index The batch's position.
    /// @return The batch (root zero if none).
    function batch(bytes32 lotId, uint256 index) external view returns (Batch memory) {
        return _batches[lotId][index];
    }

    /// @notice A shipment.
    /// @param shipmentId The shipment.
    /// @return The shipment.
    function shipment(bytes32 shipmentId) external view returns (Shipment memory) {
        return _shipments[shipmentId];
    }

    /// @notice Who holds a materialized unit, and the open shipment it is in (zero if none).
    /// @param key The unit.
    /// @return holder The holding organization.
    /// @return inShipment The shipment not yet received it travels in.
    function holderOf(bytes32 key) external view returns (bytes32 holder, bytes32 inShipment) {
        if (_units[key].state == State.None) revert UnknownUnit(key);
        return _holder(key);
    }

    /// @notice May an organization trade now: registered, active, of a trading kind, with an active licence?
    /// @param orgId The organization.
    /// @return True if so.
    function mayTrade(bytes32 orgId) external view returns (bool) {
        return _traderProblem(orgId, _TRADERS) == bytes4(0);
    }

    /// @notice The key of a unit made by `creator` with `commitment`.
    /// @param creator The organization that commissioned or packed it.
    /// @param commitment Its commitment.
    /// @return The key.
    function keyOf(bytes32 creator, bytes32 commitment) external pure returns (bytes32) {
        return _key(creator, commitment);
    }

    // ------------------------------------------------------------------ internals

    function _key(bytes32 creator, bytes32 commitment) private pure returns (bytes32) {
        return sha256(abi.encode(creator, commitment));
    }

    function _digits(string calldata s) private pure returns (bool) {
        bytes calldata b = bytes(s);
        for (uint256 i = 0; i < b.length; ++i) if (b[i] < 0x30 || b[i] > 0x39) return false;
        return true;
    }

    /// The calling organization, which must be active, of one of `kinds` and licensed.
    function _trader(uint16 kinds) private view returns (bytes32 org) {
        org = _callerOrg();
        _requireTrader(org, kinds);
    }

    function _requireTrader(bytes32 org, uint16 kinds) private view {
        bytes4 problem = _traderProblem(org, kinds);
        if (problem == WrongKind.selector) revert WrongKind(org);
        if (problem != bytes4(0)) revert NotLicensed(org);
    }

    function _traderProblem(bytes32 org, uint16 kinds) private view returns (bytes4) {
        if (!participants.isRegistered(org)) return NotLicensed.selector;
        ParticipantRegistry.Organization memory o = participants.getOrganization(org);
        if (!o.active) return NotLicensed.selector;
        if ((kinds & (uint16(1) << uint8(o.kind))) == 0) return WrongKind.selector;
        bytes32 licence = licenceOf[org];
        if (licence == bytes32(0) || credentials.credential(licence).status != CredentialStatus.Status.Active) return NotLicensed.selector;
        return bytes4(0);
    }

    function _isRegulator(bytes32 org) private view returns (bool) {
        return participants.getOrganization(org).kind == ParticipantRegistry.Kind.Regulator;
    }

    function _manufacturerOf(Unit storage u) private view returns (bytes32) {
        return u.lotId == bytes32(0) ? u.creator : _lots[u.lotId].manufacturer;
    }

    function _recalled(Unit storage u) private view returns (bool) {
        return u.lotId != bytes32(0) && _lots[u.lotId].status == Status.Recalled;
    }

    function _materializeAll(UnitRef[] calldata refs) private {
        for (uint256 i = 0; i < refs.length; ++i) _materialize(refs[i]);
    }

    /// Puts a commissioned unit on chain from its batch leaf; a unit already there is left as it is.
    function _materialize(UnitRef calldata r) private {
        Lot storage lotRec = _lots[r.lotId];
        Batch storage b = _batches[r.lotId][r.batch];
        if (b.root == bytes32(0)) revert UnknownBatch(r.lotId, r.batch);
        bytes32 key = _key(lotRec.manufacturer, r.commitment);
        if (_units[key].state != State.None) return;
        bytes32 leaf = sha256(abi.encodePacked(bytes1(0x00), abi.encode(r.lotId, r.commitment, r.parent)));
        if (!_included(r.index, b.count, leaf, r.proof, b.root)) revert BadProof(key);
        if (r.parent != bytes32(0) && _units[r.parent].state == State.None) revert UnknownUnit(r.parent);
        Unit storage u = _units[key];
        u.lotId = r.lotId;
        u.state = State.Active;
        u.changedBlock = uint64(block.number);
        if (r.parent == bytes32(0)) u.owner = lotRec.manufacturer;
        else u.parent = r.parent;
        emit UnitMaterialized(key, r.lotId, r.parent);
    }

    /// Who holds a unit: a sealed unit follows its container; a unit in a received shipment is its
    /// receiver's; a unit in an open shipment is still its sender's, in transit.
    function _holder(bytes32 key) private view returns (bytes32 holder, bytes32 inShipment) {
        Unit storage u = _units[key];
        while (u.parent != bytes32(0)) u = _units[u.parent];
        if (u.shipment != bytes32(0)) {
            Shipment storage s = _shipments[u.shipment];
            if (s.state == ShipmentState.Received) return (s.to, bytes32(0));
            if (s.state == ShipmentState.Shipped) return (s.from, u.shipment);
        }
        return (u.owner, bytes32(0));
    }

    /// A materialized unit `org` holds, loose (its container, if any, opened: then it leaves it),
    /// active and in good standing (a recall is checked by the caller where it matters), made the
    /// caller's own. With `allowRecalled` a lot recall does not stop it.
    function _movable(bytes32 key, bytes32 org, bool allowRecalled) private returns (Unit storage u) {
        u = _units[key];
        if (u.state == State.None) revert UnknownUnit(key);
        if (u.state != State.Active) revert NotActive(key, u.state);
        if (u.status != Status.None) revert Blocked(key, u.status);
        if (u.lotId != bytes32(0)) {
            Status lotStatus = _lots[u.lotId].status;
            if (lotStatus != Status.None && !(allowRecalled && lotStatus == Status.Recalled)) revert Blocked(key, lotStatus);
        }
        if (u.parent != bytes32(0)) {
            Unit storage p = _units[u.parent];
            if (p.state != State.Unpacked) revert Sealed(key, u.parent);
        }
        (bytes32 holder, bytes32 inShipment) = _holder(key);
        if (inShipment != bytes32(0)) revert InTransit(key, inShipment);
        if (holder != org) revert NotHolder(key, holder);
        u.owner = org;
        u.parent = bytes32(0);
    }

    /// RFC 6962 / RFC 9162 §2.1.3.2: does `proof` lead from `leaf` at `index` in a tree of `size` to `root`?
    function _included(uint64 index, uint64 size, bytes32 leaf, bytes32[] calldata proof, bytes32 root) private pure returns (bool) {
        if (index >= size) return false;
        uint64 fn = index;
        uint64 sn = size - 1;
        bytes32 r = leaf;
        for (uint256 i = 0; i < proof.length; ++i) {
            if (sn == 0) return false;
            if (fn & 1 == 1 || fn == sn) {
                r = sha256(abi.encodePacked(bytes1(0x01), proof[i], r));
                if (fn & 1 == 0) {
                    while (fn & 1 == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = sha256(abi.encodePacked(bytes1(0x01), r, proof[i]));
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r == root;
    }
}
