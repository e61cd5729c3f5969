// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {CredentialStatus} from "./CredentialStatus.sol";
import {ParticipantGated} from "./ParticipantGated.sol";
import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title PractitionerAffiliations
/// @author Carechain
/// @notice Which organization a practitioner acts for. An organization records an affiliation only
/// with the practitioner's own signature (EIP-712, by the key their credential names), which names
/// that organization: a credential copied to another organization cannot be used there. Custodians
/// refuse requests made in the name of a practitioner not affiliated with the requesting organization.
contract PractitionerAffiliations is EIP712, Nonces, ParticipantGated {
    /// @notice EIP-712 type hash of what the practitioner signs.
    bytes32 public constant AFFILIATION_TYPEHASH =
        keccak256("Affiliation(bytes32 organization,bytes32 credentialId,uint64 until,uint256 nonce)");

    /// @notice The credential registry whose holders sign affiliations.
    CredentialStatus public immutable credentials;

    /// @notice organization => credential => until when the affiliation holds (0: none).
    mapping(bytes32 => mapping(bytes32 => uint64)) public affiliatedUntil;

    /// @notice An organization recorded (or ended, with until 0) an affiliation.
    /// @param organization The organization.
    /// @param credentialId The practitioner's credential.
    /// @param until When it ends (unix seconds; 0 ended).
    event Affiliated(bytes32 indexed organization, bytes32 indexed credentialId, uint64 until);

    /// @notice The credential is not active on the ledger.
    /// @param credentialId The credential.
    error CredentialNotActive(bytes32 credentialId);
    /// @notice The signature is not by the credential's holder.
    /// @param recovered Who signed.
    error NotTheHolder(address recovered);
    /// @notice An affiliation must end in the future.
    error BadUntil();

    /// @notice Deploys the contract.
    /// @param registry The ParticipantRegistry to trust.
    /// @param credentialStatus The CredentialStatus registry.
    constructor(ParticipantRegistry registry, CredentialStatus credentialStatus)
        EIP712("Carechain Affiliation", "1")
        ParticipantGated(registry)
    {
        credentials = credentialStatus;
    }

    /// @notice The EIP-712 digest a practitioner signs to be affiliated with an organization.
    /// @param organization The organization.
    /// @param credentialId The practitioner's credential.
    /// @param until When the affiliation ends.
    /// @param nonce The holder's next nonce.
    /// @return The digest.
    function affiliationDigest(bytes32 organization, bytes32 credentialId, uint64 until, uint256 nonce)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(keccak256(abi.encode(AFFILIATION_TYPEHASH, organization, credentialId, until, nonce)));
    }

    /// @notice The calling organization records an affiliation the practitioner signed for it.
    /// @param credentialId The practitioner's credential (active, with a holder).
    /// @param until When the affiliation ends.
    /// @param nonce The holder's next nonce.
    /// @param signature The holder's EIP-712 signature naming the calling organization.
    function affiliate(bytes32 credentialId, uint64 until, uint256 nonce, bytes calldata signature) external {
        bytes32 organization = _callerOrg();
        CredentialStatus.Credential memory c = credentials.credential(credentialId);
        if (c.status != CredentialStatus.Status.Active) revert CredentialNotActive(credentialId);
        if (until <= block.timestamp) revert BadUntil();
        (address signer, ECDSA.RecoverError err,) =
            ECDSA.tryRecover(affiliationDigest(organization, credentialId, until, nonce), signature);
        if (err != ECDSA.RecoverError.NoError || signer != c.holder) revert NotTheHolder(signer);
        _useCheckedNonce(c.holder, nonce);
        affiliatedUntil[organization][credentialId] = until;
        emit Affiliated(organization, credentialId, until);
    }

    /// @notice The calling organization ends its affiliation with a practitioner.
    /// @param credentialId The practitioner's credential.
    function end(bytes32 credentialId) external {
        bytes32 organization = _callerOrg();
        affiliatedUntil[organization][credentialId] = 0;
        emit Affiliated(organization, credentialId, 0);
    }

    /// @notice Does the practitioner act for the organization now?
    /// @param organization The organization.
    /// @param credentialId The practitioner's credential.
    /// @return True while the affiliation holds.
    function isAffiliated(bytes32 organization, bytes32 credentialId) external view returns (bool) {
        return affiliatedUntil[organization][credentialId] > block.timestamp;
    }
}
