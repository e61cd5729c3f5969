// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

/// @title ParticipantRegistry
/// @author Carechain
/// @notice Who is who on the Carechain network. Consortium governance (the default admin, handed over
/// in two steps) appoints registrars; registrars admit organizations, suspend and reinstate them.
/// An organization may rotate its own keys and endpoint; registrars may too (lost-key recovery).
/// Nothing here is personal data: organizations are legal entities with public keys and URLs.
contract ParticipantRegistry is AccessControlDefaultAdminRules {
    /// @notice Role of the accounts that admit, suspend and reinstate organizations.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// @notice What an organization is.
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

    /// @notice A registered organization.
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

    /// @notice An organization was admitted.
    /// @param orgId Its id.
    /// @param kind What it is.
    /// @param signer Its signing key.
    /// @param encryptionKey Its X25519 public key.
    /// @param name Its display name.
    /// @param endpoint Its node's URL.
    event OrganizationRegistered(
        bytes32 indexed orgId, Kind kind, address signer, bytes32 encryptionKey, string name, string endpoint
    );
    /// @notice An organization was suspended: its signer can no longer act.
    /// @param orgId The organization.
    /// @param reason Why.
    event OrganizationSuspended(bytes32 indexed orgId, string reason);
    /// @notice A suspended organization was reinstated.
    /// @param orgId The organization.
    event OrganizationReinstated(bytes32 indexed orgId);
    /// @notice An organization's signing key changed.
    /// @param orgId The organization.
    /// @param oldSigner The previous key.
    /// @param newSigner The new key.
    event SigningKeyRotated(bytes32 indexed orgId, address oldSigner, address newSigner);
    /// @notice An organization's encryption key changed.
    /// @param orgId The organization.
    /// @param encryptionKey The new X25519 public key.
    event EncryptionKeyRotated(bytes32 indexed orgId, bytes32 encryptionKey);
    /// @notice An organization's endpoint changed.
    /// @param orgId The organization.
    /// @param endpoint The new URL.
    event EndpointChanged(bytes32 indexed orgId, string endpoint);

    /// @notice No such organization.
    /// @param orgId The id asked for.
    error UnknownOrganization(bytes32 orgId);
    /// @notice The id is taken (or zero).
    /// @param orgId The id.
    error OrganizationExists(bytes32 orgId);
    /// @notice The signing key belongs to another organization.
    /// @param signer The key.
    error SignerInUse(address signer);
    /// @notice Kind None is not a kind.
    error InvalidKind();
    /// @notice The zero address cannot sign.
    error InvalidSigner();
    /// @notice The zero key is not an encryption key.
    error InvalidEncryptionKey();
    /// @notice A name must have 1-200 bytes.
    error InvalidName();
    /// @notice Only the organization itself or a registrar may do this.
    /// @param orgId The organization.
    /// @param caller The caller.
    error NotOrganizationOrRegistrar(bytes32 orgId, address caller);
    /// @notice The organization is already in that state.
    /// @param orgId The organization.
    /// @param active The state.
    error AlreadyInState(bytes32 orgId, bool active);

    /// @notice Deploys the contract.
    /// @param initialAdmin The consortium's governance account (also the first registrar).
    /// @param adminTransferDelay Seconds between starting and accepting an admin handover.
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

    /// @notice Admits an organization (registrars only).
    /// @param orgId Its id (keccak256 of "carechain:org:<slug>").
    /// @param kind What it is.
    /// @param signer Its signing key.
    /// @param encryptionKey Its X25519 public key.
    /// @param name Its display name (1-200 bytes).
    /// @param endpoint Its node's URL.
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

    /// @notice Suspends an organization (registrars only).
    /// @param orgId The organization.
    /// @param reason Why, for the record.
    function suspend(bytes32 orgId, string calldata reason) external onlyRole(REGISTRAR_ROLE) known(orgId) {
        if (!_orgs[orgId].active) revert AlreadyInState(orgId, false);
        _orgs[orgId].active = false;
        emit OrganizationSuspended(orgId, reason);
    }

    /// @notice Reinstates a suspended organization (registrars only).
    /// @param orgId The organization.
    function reinstate(bytes32 orgId) external onlyRole(REGISTRAR_ROLE) known(orgId) {
        if (_orgs[orgId].active) revert AlreadyInState(orgId, true);
        _orgs[orgId].active = true;
        emit OrganizationReinstated(orgId);
    }

    /// @notice Replaces an organization's signing key (the organization or a registrar).
    /// @param orgId The organization.
    /// @param newSigner The new key.
    function rotateSigningKey(bytes32 orgId, address newSigner) external known(orgId) selfOrRegistrar(orgId) {
        if (newSigner == address(0)) revert InvalidSigner();
        if (_orgOfSigner[newSigner] != bytes32(0)) revert SignerInUse(newSigner);
        address old = _orgs[orgId].signer;
        delete _orgOfSigner[old];
        _orgOfSigner[newSigner] = orgId;
        _orgs[orgId].signer = newSigner;
        emit SigningKeyRotated(orgId, old, newSigner);
    }

    /// @notice Replaces an organization's encryption key (the organization or a registrar).
    /// @param orgId The organization.
    /// @param encryptionKey The new X25519 public key.
    function rotateEncryptionKey(bytes32 orgId, bytes32 encryptionKey) external known(orgId) selfOrRegistrar(orgId) {
        if (encryptionKey == bytes32(0)) revert InvalidEncryptionKey();
        _orgs[orgId].encryptionKey = encryptionKey;
        emit EncryptionKeyRotated(orgId, encryptionKey);
    }

    /// @notice Changes an organization's endpoint (the organization or a registrar).
    /// @param orgId The organization.
    /// @param endpoint The new URL.
    function setEndpoint(bytes32 orgId, string calldata endpoint) external known(orgId) selfOrRegistrar(orgId) {
        _orgs[orgId].endpoint = endpoint;
        emit EndpointChanged(orgId, endpoint);
    }

    /// @notice A registered organization.
    /// @param orgId The organization.
    /// @return The organization; reverts with UnknownOrganization if there is none.
    function getOrganization(bytes32 orgId) external view known(orgId) returns (Organization memory) {
        return _orgs[orgId];
    }

    /// @notice Is an organization registered (active or suspended)?
    /// @param orgId The organization.
    /// @return True if it was ever admitted.
    function isRegistered(bytes32 orgId) external view returns (bool) {
        return _orgs[orgId].kind != Kind.None;
    }

    /// @notice The organization a signing key belongs to.
    /// @param signer The key.
    /// @return The organization id (zero if none).
    function orgOfSigner(address signer) external view returns (bytes32) {
        return _orgOfSigner[signer];
    }

    /// @notice Is `signer` the current key of an active organization?
    /// @param signer The key.
    /// @return True if so.
    function isActiveSigner(address signer) public view returns (bool) {
        bytes32 id = _orgOfSigner[signer];
        return id != bytes32(0) && _orgs[id].active;
    }

    /// @notice How many organizations were ever admitted.
    /// @return The count.
    function organizationCount() external view returns (uint256) {
        return _ids.length;
    }

    /// @notice The id of the organization admitted `index`-th.
    /// @param index Position in admission order.
    /// @return The organization id.
    function organizationIdAt(uint256 index) external view returns (bytes32) {
        return _ids[index];
    }
}
