// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title CredentialStatus
/// @notice Status of practitioners' credentials (medical licences, board certifications, DEA
/// registrations, NPI attestations), honoured by every organization from the block a change lands in.
/// Governance (registrars of the ParticipantRegistry) scopes each issuer to credential types and
/// jurisdictions. A credential is identified by an opaque salted hash: no personal data on chain.
contract CredentialStatus {
    enum Status {
        None,
        Active,
        Suspended,
        Revoked
    }

    struct Credential {
        bytes32 issuer; // organization id
        bytes32 credentialType; // keccak256("medical-licence"), ...
        bytes32 jurisdiction; // keccak256("US-CA"), ...
        Status status;
        uint64 changedBlock;
    }

    ParticipantRegistry public immutable participants;
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// issuer org => credential type => jurisdiction => may issue
    mapping(bytes32 => mapping(bytes32 => mapping(bytes32 => bool))) public mayIssue;
    mapping(bytes32 => Credential) private _credentials;

    event IssuerScopeSet(bytes32 indexed issuer, bytes32 indexed credentialType, bytes32 indexed jurisdiction, bool allowed);
    event CredentialStatusChanged(
        bytes32 indexed credentialId, bytes32 indexed issuer, bytes32 credentialType, bytes32 jurisdiction, Status status
    );

    error NotRegistrar(address caller);
    error NotActiveParticipant(address caller);
    error OutsideIssuerScope(bytes32 issuer, bytes32 credentialType, bytes32 jurisdiction);
    error CredentialExists(bytes32 credentialId);
    error UnknownCredential(bytes32 credentialId);
    error NotIssuer(bytes32 credentialId, bytes32 caller);
    error InvalidTransition(Status from, Status to);

    constructor(ParticipantRegistry registry) {
        participants = registry;
    }

    function setIssuerScope(bytes32 issuer, bytes32 credentialType, bytes32 jurisdiction, bool allowed) external {
        if (!participants.hasRole(REGISTRAR_ROLE, msg.sender)) revert NotRegistrar(msg.sender);
        mayIssue[issuer][credentialType][jurisdiction] = allowed;
        emit IssuerScopeSet(issuer, credentialType, jurisdiction, allowed);
    }

    function _caller() private view returns (bytes32) {
        if (!participants.isActiveSigner(msg.sender)) revert NotActiveParticipant(msg.sender);
        return participants.orgOfSigner(msg.sender);
    }

    /// Records a newly issued credential as active. Only an issuer scoped for its type and jurisdiction.
    function register(bytes32 credentialId, bytes32 credentialType, bytes32 jurisdiction) external {
        bytes32 issuer = _caller();
        if (!mayIssue[issuer][credentialType][jurisdiction]) revert OutsideIssuerScope(issuer, credentialType, jurisdiction);
        if (_credentials[credentialId].status != Status.None) revert CredentialExists(credentialId);
        _credentials[credentialId] = Credential(issuer, credentialType, jurisdiction, Status.Active, uint64(block.number));
        emit CredentialStatusChanged(credentialId, issuer, credentialType, jurisdiction, Status.Active);
    }

    function suspend(bytes32 credentialId) external {
        _transition(credentialId, Status.Active, Status.Suspended);
    }

    function reinstate(bytes32 credentialId) external {
        _transition(credentialId, Status.Suspended, Status.Active);
    }

    /// Revocation is final, from either active or suspended.
    function revoke(bytes32 credentialId) external {
        Credential storage c = _credentials[credentialId];
        if (c.status == Status.None) revert UnknownCredential(credentialId);
        Status from = c.status == Status.Suspended ? Status.Suspended : Status.Active;
        _transition(credentialId, from, Status.Revoked);
    }

    function _transition(bytes32 credentialId, Status from, Status to) private {
        bytes32 caller = _caller();
        Credential storage c = _credentials[credentialId];
        if (c.status == Status.None) revert UnknownCredential(credentialId);
        if (c.issuer != caller) revert NotIssuer(credentialId, caller);
        if (c.status != from) revert InvalidTransition(c.status, to);
        c.status = to;
        c.changedBlock = uint64(block.number);
        emit CredentialStatusChanged(credentialId, c.issuer, c.credentialType, c.jurisdiction, to);
    }

    function credential(bytes32 credentialId) external view returns (Credential memory) {
        return _credentials[credentialId];
    }
}
