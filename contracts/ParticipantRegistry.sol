// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

/// @title ParticipantRegistry
/// @notice Who is who on the Carechain network. Consortium governance (the default admin, handed over
/// in two steps) appoints registrars; registrars admit organizations, suspend and reinstate them.
/// An organization may rotate its own keys and endpoint; registrars may too (lost-key recovery).
/// Nothing here is personal data: organizations are legal entities with public keys and URLs.
contract ParticipantRegistry is AccessControlDefaultAdminRules {
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    enum Kind {
        None,
        Hospital,
        Clinic,
        Lab,
        Pharmacy,
        Manufacturer,
        Distributor,
        Insurer,
        LicensingBoard,
        ResearchSponsor,
        Regulator
    }

    struct Organization {
        Kind kind;
        bool active;
        address signer; // secp256k1 key the organization signs transactions and requests with
        bytes32 encryptionKey; // X25519 public key data keys are wrapped to
        uint64 registeredAt;
        string name;
        string endpoint; // https URL of the organization's node API
    }

    mapping(bytes32 => Organization) private _orgs;
    mapping(address => bytes32) private _orgOfSigner;
    bytes32[] private _ids;

    event OrganizationRegistered(
        bytes32 indexed orgId, Kind kind, address signer, bytes32 encryptionKey, string name, string endpoint
    );
    event OrganizationSuspended(bytes32 indexed orgId, string reason);
    event OrganizationReinstated(bytes32 indexed orgId);
    event SigningKeyRotated(bytes32 indexed orgId, address oldSigner, address newSigner);
    event EncryptionKeyRotated(bytes32 indexed orgId, bytes32 encryptionKey);
    event EndpointChanged(bytes32 indexed orgId, string endpoint);

    error UnknownOrganization(bytes32 orgId);
    error OrganizationExists(bytes32 orgId);
    error SignerInUse(address signer);
    error InvalidKind();
    error InvalidSigner();
    error InvalidEncryptionKey();
    error InvalidName();
    error NotOrganizationOrRegistrar(bytes32 orgId, address caller);
    error AlreadyInState(bytes32 orgId, bool active);

    constructor(address initialAdmin, uint48 adminTransferDelay)
        AccessControlDefaultAdminRules(adminTransferDelay, initialAdmin)
    {
        _grantRole(REGISTRAR_ROLE, initialAdmin);
    }

    modifier known(bytes32 orgId) {
        if (_orgs[orgId].kind == Kind.None) revert UnknownOrganization(orgId);
        _;
    }

    /// The organization itself (its current signer) or a registrar.
    modifier selfOrRegistrar(bytes32 orgId) {
        if (_orgs[orgId].signer != msg.sender && !hasRole(REGISTRAR_ROLE, msg.sender)) {
            revert NotOrganizationOrRegistrar(orgId, msg.sender);
        }
        _;
    }

    function register(
        bytes32 orgId,
        Kind kind,
        address signer,
        bytes32 encryptionKey,
        string calldata name,
        string calldata endpoint
    ) external onlyRole(REGISTRAR_ROLE) {
        if (orgId == bytes32(0) || _orgs[orgId].kind != Kind.None) revert OrganizationExists(orgId);
        if (kind == Kind.None) revert InvalidKind();
        if (signer == address(0)) revert InvalidSigner();
        if (_orgOfSigner[signer] != bytes32(0)) revert SignerInUse(signer);
        if (encryptionKey == bytes32(0)) revert InvalidEncryptionKey();
        if (bytes(name).length == 0 || bytes(name).length > 200) revert InvalidName();
        _orgs[orgId] = Organization(kind, true, signer, encryptionKey, uint64(block.timestamp), name, endpoint);
        _orgOfSigner[signer] = orgId;
        _ids.push(orgId);
        emit OrganizationRegistered(orgId, kind, signer, encryptionKey, name, endpoint);
    }

    function suspend(bytes32 orgId, string calldata reason) external onlyRole(REGISTRAR_ROLE) known(orgId) {
        if (!_orgs[orgId].active) revert AlreadyInState(orgId, false);
        _orgs[orgId].active = false;
        emit OrganizationSuspended(orgId, reason);
    }

    function reinstate(bytes32 orgId) external onlyRole(REGISTRAR_ROLE) known(orgId) {
        if (_orgs[orgId].active) revert AlreadyInState(orgId, true);
        _orgs[orgId].active = true;
        emit OrganizationReinstated(orgId);
    }

    function rotateSigningKey(bytes32 orgId, address newSigner) external known(orgId) selfOrRegistrar(orgId) {
        if (newSigner == address(0)) revert InvalidSigner();
        if (_orgOfSigner[newSigner] != bytes32(0)) revert SignerInUse(newSigner);
        address old = _orgs[orgId].signer;
        delete _orgOfSigner[old];
        _orgOfSigner[newSigner] = orgId;
        _orgs[orgId].signer = newSigner;
        emit SigningKeyRotated(orgId, old, newSigner);
    }

    function rotateEncryptionKey(bytes32 orgId, bytes32 encryptionKey) external known(orgId) selfOrRegistrar(orgId) {
        if (encryptionKey == bytes32(0)) revert InvalidEncryptionKey();
        _orgs[orgId].encryptionKey = encryptionKey;
        emit EncryptionKeyRotated(orgId, encryptionKey);
    }

    function setEndpoint(bytes32 orgId, string calldata endpoint) external known(orgId) selfOrRegistrar(orgId) {
        _orgs[orgId].endpoint = endpoint;
        emit EndpointChanged(orgId, endpoint);
    }

    function getOrganization(bytes32 orgId) external view known(orgId) returns (Organization memory) {
        return _orgs[orgId];
    }

    function orgOfSigner(address signer) external view returns (bytes32) {
        return _orgOfSigner[signer];
    }

    /// True when `signer` is the current key of an active organization.
    function isActiveSigner(address signer) public view returns (bool) {
        bytes32 id = _orgOfSigner[signer];
        return id != bytes32(0) && _orgs[id].active;
    }

    function organizationCount() external view returns (uint256) {
        return _ids.length;
    }

    function organizationIdAt(uint256 index) external view returns (bytes32) {
        return _ids[index];
    }
}
