// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {ParticipantGated} from "./ParticipantGated.sol";
import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title ConsentRegistry
/// @author Carechain
/// @notice Patients' consent, signed by the patient (EIP-712) and relayed by any participant node, so
/// patients need no funds. A patient is a pseudonymous address; a grant names a grantee (a commitment
/// to an organization or practitioner), a commitment to its scope document (kept off-chain), an HL7
/// PurposeOfUse and a validity window. Revocation is signed the same way and effective from its block.
/// Each patient's signatures share one sequential nonce (OpenZeppelin Nonces): replayed or
/// out-of-order signatures are rejected. A patient may appoint a proxy (guardian) with its own expiry
/// who may grant and revoke on their behalf.
contract ConsentRegistry is EIP712, Nonces, ParticipantGated {
    /// @notice HL7 v3 PurposeOfUse: TREAT, HPAYMT, HOPERAT, HRESCH, ETREAT.
    enum Purpose {
        Treatment,
        Payment,
        Operations,
        Research,
        Emergency
    }

    /// @notice What the patient signs.
    struct Grant {
        address patient;
        bytes32 grantee;
        bytes32 scopeHash;
        Purpose purpose;
        uint64 start;
        uint64 expiry;
        uint256 nonce;
    }

    /// @notice A recorded grant.
    struct GrantState {
        address patient;
        address signer;
        uint64 start;
        uint64 expiry;
        uint64 grantedBlock;
        uint64 revokedBlock; // 0 while in force
        bytes32 grantee;
        bytes32 scopeHash;
        Purpose purpose;
    }

    /// @notice EIP-712 type hash of Grant.
    bytes32 public constant GRANT_TYPEHASH = keccak256(
        "Grant(address patient,bytes32 grantee,bytes32 scopeHash,uint8 purpose,uint64 start,uint64 expiry,uint256 nonce)"
    );
    /// @notice EIP-712 type hash of Revoke.
    bytes32 public constant REVOKE_TYPEHASH = keccak256("Revoke(address patient,bytes32 grantId,uint256 nonce)");
    /// @notice EIP-712 type hash of AppointProxy.
    bytes32 public constant PROXY_TYPEHASH =
        keccak256("AppointProxy(address patient,address proxy,uint64 expiry,uint256 nonce)");

    mapping(bytes32 => GrantState) private _grants;
    /// @notice patient => proxy => expiry of the appointment (0: none).
    mapping(address => mapping(address => uint64)) public proxyExpiry;

    /// @notice A grant was recorded.
    /// @param grantId The grant's id, keccak256(patient, nonce).
    /// @param patient The patient's pseudonymous address.
    /// @param grantee The grantee commitment.
    /// @param scopeHash The scope commitment.
    /// @param purpose The purpose of use.
    /// @param start When the grant starts (unix seconds).
    /// @param expiry When it ends (unix seconds).
    /// @param signer The patient or the proxy who signed.
    event ConsentGranted(
        bytes32 indexed grantId,
        address indexed patient,
        bytes32 indexed grantee,
        bytes32 scopeHash,
        Purpose purpose,
        uint64 start,
        uint64 expiry,
        address signer
    );
    /// @notice A grant was revoked, effective from this block.
    /// @param grantId The grant.
    /// @param patient The patient.
    /// @param signer The patient or the proxy who signed.
    event ConsentRevoked(bytes32 indexed grantId, address indexed patient, address signer);
    /// @notice A proxy was appointed (or dismissed, with expiry 0).
    /// @param patient The patient.
    /// @param proxy The proxy.
    /// @param expiry When the appointment ends.
    event ProxyAppointed(address indexed patient, address indexed proxy, uint64 expiry);

    /// @notice The signature is not the patient's, nor a current proxy's.
    /// @param recovered The address the signature recovers to (0 if none).
    error BadSignature(address recovered);
    /// @notice A grant must end after it starts and after now.
    error BadWindow();
    /// @notice No such grant.
    /// @param grantId The grant asked for.
    error UnknownGrant(bytes32 grantId);
    /// @notice The grant was revoked already.
    /// @param grantId The grant.
    error AlreadyRevoked(bytes32 grantId);
    /// @notice The grant belongs to another patient.
    /// @param grantId The grant.
    error NotForThisPatient(bytes32 grantId);

    /// @notice Deploys the contract.
    /// @param registry The ParticipantRegistry to trust.
    constructor(ParticipantRegistry registry) EIP712("Carechain Consent", "1") ParticipantGated(registry) {}

    /// @notice The id of a patient's grant with a given nonce.
    /// @param patient The patient.
    /// @param nonce The nonce the grant was signed with.
    /// @return The grant id.
    function grantId(address patient, uint256 nonce) public pure returns (bytes32) {
        return keccak256(abi.encode(patient, nonce));
    }

    /// @notice The EIP-712 digest a patient signs for a grant.
    /// @param g The grant.
    /// @return The digest.
    function grantDigest(Grant calldata g) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(GRANT_TYPEHASH, g.patient, g.grantee, g.scopeHash, g.purpose, g.start, g.expiry, g.nonce))
        );
    }

    /// @notice The EIP-712 digest a patient signs to revoke a grant.
    /// @param patient The patient.
    /// @param id The grant.
    /// @param nonce The patient's next nonce.
    /// @return The digest.
    function revokeDigest(address patient, bytes32 id, uint256 nonce) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(REVOKE_TYPEHASH, patient, id, nonce)));
    }

    /// @notice The EIP-712 digest a patient signs to appoint a proxy.
    /// @param patient The patient.
    /// @param proxy The proxy.
    /// @param expiry When the appointment ends.
    /// @param nonce The patient's next nonce.
    /// @return The digest.
    function proxyDigest(address patient, address proxy, uint64 expiry, uint256 nonce) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(PROXY_TYPEHASH, patient, proxy, expiry, nonce)));
    }

    /// @notice Records a grant signed by the patient or their proxy. Relayed by any active participant.
    /// @param g The grant.
    /// @param signature The patient's (or proxy's) EIP-712 signature of it.
    /// @return id The grant id.
    function grant(Grant calldata g, bytes calldata signature) external onlyActiveParticipant returns (bytes32 id) {
        address signer = _checkSigner(g.patient, grantDigest(g), signature);
        if (g.expiry <= g.start || g.expiry <= block.timestamp) revert BadWindow();
        _useCheckedNonce(g.patient, g.nonce);
        id = grantId(g.patient, g.nonce);
        _grants[id] = GrantState(
            g.patient, signer, g.start, g.expiry, uint64(block.number), 0, g.grantee, g.scopeHash, g.purpose
        );
        emit ConsentGranted(id, g.patient, g.grantee, g.scopeHash, g.purpose, g.start, g.expiry, signer);
    }

    /// @notice Revokes a grant, effective from this block.
    /// @param patient The patient.
    /// @param id The grant.
    /// @param nonce The patient's next nonce.
    /// @param signature The patient's (or proxy's) EIP-712 signature of the revocation.
    function revoke(address patient, bytes32 id, uint256 nonce, bytes calldata signature)
        external
        onlyActiveParticipant
    {
        GrantState storage s = _grants[id];
        if (s.patient == address(0)) revert UnknownGrant(id);
        if (s.patient != patient) revert NotForThisPatient(id);
        if (s.revokedBlock != 0) revert AlreadyRevoked(id);
        address signer = _checkSigner(patient, revokeDigest(patient, id, nonce), signature);
        _useCheckedNonce(patient, nonce);
        s.revokedBlock = uint64(block.number);
        emit ConsentRevoked(id, patient, signer);
    }

    /// @notice Appoints (or, with expiry 0, dismisses) a proxy. Only the patient may sign this.
    /// @param patient The patient.
    /// @param proxy The proxy.
    /// @param expiry When the appointment ends (0 dismisses).
    /// @param nonce The patient's next nonce.
    /// @param signature The patient's EIP-712 signature.
    function appointProxy(address patient, address proxy, uint64 expiry, uint256 nonce, bytes calldata signature)
        external
        onlyActiveParticipant
    {
        (address signer, ECDSA.RecoverError err,) =
            ECDSA.tryRecover(proxyDigest(patient, proxy, expiry, nonce), signature);
        if (err != ECDSA.RecoverError.NoError || signer != patient) revert BadSignature(signer);
        _useCheckedNonce(patient, nonce);
        proxyExpiry[patient][proxy] = expiry;
        emit ProxyAppointed(patient, proxy, expiry);
    }

    /// @notice Is the grant in force now (started, not expired, not revoked)?
    /// @param id The grant.
    /// @return True while it is in force.
    function isValid(bytes32 id) external view returns (bool) {
        GrantState storage s = _grants[id];
        return s.patient != address(0) && s.revokedBlock == 0 && s.start <= block.timestamp
            && block.timestamp < s.expiry;
    }

    /// @notice A recorded grant.
    /// @param id The grant.
    /// @return The grant's state; reverts with UnknownGrant if there is none.
    function getGrant(bytes32 id) external view returns (GrantState memory) {
        if (_grants[id].patient == address(0)) revert UnknownGrant(id);
        return _grants[id];
    }

    /// The patient, or a proxy whose appointment has not expired.
    function _checkSigner(address patient, bytes32 digest, bytes calldata signature) private view returns (address) {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        if (err != ECDSA.RecoverError.NoError) revert BadSignature(address(0));
        if (signer != patient && proxyExpiry[patient][signer] <= block.timestamp) revert BadSignature(signer);
        return signer;
    }
}
