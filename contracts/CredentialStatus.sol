// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantGated} from "./ParticipantGated.sol";
import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title CredentialStatus
/// @author Carechain
/// @notice Status of practitioners' credentials (medical licences, board certifications, DEA
/// registrations, NPI attestations), honoured by every organization from the block a change lands in.
/// Governance (registrars of the ParticipantRegistry) scopes each issuer to credential types and
/// jurisdictions. A credential is identified by an opaque salted hash: no personal data on chain.
contract CredentialStatus is ParticipantGated {
    /// @notice A credential's state; None means never registered.
    enum Status {
        None,
        Active,
        Suspended,
        Revoked
    }

    /// @notice A registered credential.
    struct Credential {
        bytes32 issuer; // organization id
        bytes32 credentialType; // keccak256("carechain:credential-type:medical-licence"), ...
        bytes32 jurisdiction; // keccak256("carechain:jurisdiction:US-CA"), ...
        Status status;
        uint64 changedBlock;
        address holder; // the key the practitioner proves possession of (affiliations, presentations)
        bytes32 documentHash; // keccak256 of the signed credential (VC-JOSE), to reference it without handing it over
    }

    /// @notice The registrar role of the ParticipantRegistry, whose holders scope issuers.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// @notice issuer org => credential type => jurisdiction => may issue.
    mapping(bytes32 => mapping(bytes32 => mapping(bytes32 => bool))) public mayIssue;
    mapping(bytes32 => Credential) private _credentials;

    /// @notice Governance allowed (or stopped) an issuer for a credential type in a jurisdiction.
    /// @param issuer The issuing organization.
    /// @param credentialType The credential type id.
    /// @param jurisdiction The jurisdiction id.
    /// @param allowed Whether it may issue.
    event IssuerScopeSet(bytes32 indexed issuer, bytes32 indexed credentialType, bytes32 indexed jurisdiction, bool allowed);
    /// @notice A credential was registered or changed state.
    /// @param credentialId The credential.
    /// @param issuer Its issuer.
    /// @param credentialType Its type id.
    /// @param jurisdiction Its jurisdiction id.
    /// @param status Its new state.
    event CredentialStatusChanged(
        bytes32 indexed credentialId, bytes32 indexed issuer, bytes32 credentialType, bytes32 jurisdiction, Status status
    );
    /// @notice A credential was registered: whose key holds it and which document it is.
    /// @param credentialId The credential.
    /// @param holder The practitioner's key.
    /// @param documentHash keccak256 of the signed credential.
    event CredentialHolder(bytes32 indexed credentialId, address holder, bytes32 documentHash);

    /// @notice Only registrars scope issuers.
    /// @param caller The caller.
    error NotRegistrar(address caller);
    /// @notice The issuer may not issue this type in this jurisdiction.
    /// @param issuer The issuer.
    /// @param credentialType The type id.
    /// @param jurisdiction The jurisdiction id.
    error OutsideIssuerScope(bytes32 issuer, bytes32 credentialType, bytes32 jurisdiction);
    /// @notice The credential id is taken.
    /// @param credentialId The id.
    error CredentialExists(bytes32 credentialId);
    /// @notice No such credential.
    /// @param credentialId The id.
    error UnknownCredential(bytes32 credentialId);
    /// @notice Only the issuer changes a credential's state.
    /// @param credentialId The credential.
    /// @param caller The calling organization.
    error NotIssuer(bytes32 credentialId, bytes32 caller);
    /// @notice A credential must name the key that holds it.
    error NoHolder();
    /// @notice That change of state is not allowed.
    /// @param from The current state.
    /// @param to The state asked for.
    error InvalidTransition(Status from, Status to);

    /// @notice Deploys the contract.
    /// @param registry The ParticipantRegistry to trust.
    constructor(ParticipantRegistry registry) ParticipantGated(registry) {}

    /// @notice Allows or stops an issuer for a credential type in a jurisdiction (registrars only).
    /// @param issuer The issuing organization.
    /// @param credentialType The credential type id.
    /// @param jurisdiction The jurisdiction id.
    /// @param allowed Whether it may issue.
    function setIssuerScope(bytes32 issuer, bytes32 credentialType, bytes32 jurisdiction, bool allowed) external {
        if (!participants.hasRole(REGISTRAR_ROLE, msg.sender)) revert NotRegistrar(msg.sender);
        mayIssue[issuer][credentialType][jurisdiction] = allowed;
        emit IssuerScopeSet(issuer, credentialType, jurisdiction, allowed);
    }

    /// @notice Records a newly issued credential as active. Only an issuer scoped for its type and
    /// jurisdiction.
    /// @param credentialId A fresh opaque id.
    /// @param credentialType The type id.
    /// @param jurisdiction The jurisdiction id.
    /// @param holder The practitioner's key (affiliations must be signed with it).
    /// @param documentHash keccak256 of the signed credential.
    function register(bytes32 credentialId, bytes32 credentialType, bytes32 jurisdiction, address holder, bytes32 documentHash)
        external
    {
        bytes32 issuer = _callerOrg();
        if (!mayIssue[issuer][credentialType][jurisdiction]) revert OutsideIssuerScope(issuer, credentialType, jurisdiction);
        if (_credentials[credentialId].status != Status.None) revert CredentialExists(credentialId);
        if (holder == address(0)) revert NoHolder();
        _credentials[credentialId] =
            Credential(issuer, credentialType, jurisdiction, Status.Active, uint64(block.number), holder, documentHash);
        emit CredentialStatusChanged(credentialId, issuer, credentialType, jurisdiction, Status.Active);
        emit CredentialHolder(credentialId, holder, documentHash);
    }

    /// @notice Suspends an active credential (its issuer only).
    /// @param credentialId The credential.
    function suspend(bytes32 credentialId) external {
        _transition(credentialId, Status.Active, Status.Suspended);
    }

    /// @notice Reinstates a suspended credential (its issuer only).
    /// @param credentialId The credential.
    function reinstate(bytes32 credentialId) external {
        _transition(credentialId, Status.Suspended, Status.Active);
    }

    /// @notice Revokes a credential, finally, from either active or suspended (its issuer only).
    /// @param credentialId The credential.
    function revoke(bytes32 credentialId) external {
        Credential storage c = _credentials[credentialId];
        if (c.status == Status.None) revert UnknownCredential(credentialId);
        Status from = c.status == Status.Suspended ? Status.Suspended : Status.Active;
        _transition(credentialId, from, Status.Revoked);
    }

    /// @notice A credential's record.
    /// @param credentialId The credential.
    /// @return Its record (status None if never registered).
    function credential(bytes32 credentialId) external view returns (Credential memory) {
        return _credentials[credentialId];
    }

    function _transition(bytes32 credentialId, Status from, Status to) private {
        bytes32 caller = _callerOrg();
        Credential storage c = _credentials[credentialId];
        if (c.status == Status.None) revert UnknownCredential(credentialId);
        if (c.issuer != caller) revert NotIssuer(credentialId, caller);
        if (c.status != from) revert InvalidTransition(c.status, to);
        c.status = to;
        c.changedBlock = uint64(block.number);
        emit CredentialStatusChanged(credentialId, c.issuer, c.credentialType, c.jurisdiction, to);
    }
}
