// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ConsentRegistry} from "../../contracts/ConsentRegistry.sol";
import {ParticipantRegistry} from "../../contracts/ParticipantRegistry.sol";
import {vm} from "./Vm.sol";

/// Grants, revokes and replays at random for five patients, moving time forward; remembers which
/// grants were revoked. The handler is the relaying participant node.
contract ConsentHandler {
    ConsentRegistry public immutable consent;
    bytes32[] public granted;
    mapping(bytes32 => bool) public revoked;
    bytes32[] public revokedIds;
    uint256 public replaysAccepted;

    constructor(ConsentRegistry c) {
        consent = c;
    }

    function _key(uint8 patient) internal pure returns (uint256) {
        return 0xA11CE + (patient % 5);
    }

    function _sig(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function grant(uint8 patient, bytes32 grantee, uint32 startOffset, uint32 duration) external {
        uint256 key = _key(patient);
        address p = vm.addr(key);
        uint64 start = uint64(block.timestamp) + startOffset % 1 days;
        ConsentRegistry.Grant memory g = ConsentRegistry.Grant(
            p, grantee, keccak256("scope"), ConsentRegistry.Purpose.Treatment, start, start + 1 + duration % 30 days, consent.nonces(p)
        );
        granted.push(consent.grant(g, _sig(key, consent.grantDigest(g))));
    }

    function revoke(uint256 which) external {
        if (granted.length == 0) return;
        bytes32 id = granted[which % granted.length];
        if (revoked[id]) return;
        ConsentRegistry.GrantState memory s = consent.getGrant(id);
        uint256 key;
        for (uint8 i = 0; i < 5; i++) if (vm.addr(_key(i)) == s.patient) key = _key(i);
        uint256 nonce = consent.nonces(s.patient);
        bytes memory sig = _sig(key, consent.revokeDigest(s.patient, id, nonce));
        consent.revoke(s.patient, id, nonce, sig);
        revoked[id] = true;
        revokedIds.push(id);
        // The same signed revocation sent again must not be accepted.
        try consent.revoke(s.patient, id, nonce, sig) { replaysAccepted++; } catch {}
    }

    function wait(uint32 seconds_) external {
        vm.warp(block.timestamp + seconds_ % 7 days);
        vm.roll(block.number + 1);
    }

    function revokedCount() external view returns (uint256) {
        return revokedIds.length;
    }
}

contract ConsentRegistryInvariants {
    ConsentRegistry consent;
    ConsentHandler handler;

    function setUp() public {
        ParticipantRegistry registry = new ParticipantRegistry(address(this), 0);
        consent = new ConsentRegistry(registry);
        handler = new ConsentHandler(consent);
        registry.register(keccak256("relay"), ParticipantRegistry.Kind.Hospital, address(handler), bytes32(uint256(1)), "relay", "");
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// A revoked grant never validates again, whatever happens after.
    function invariant_revokedGrantNeverValidates() public view {
        uint256 n = handler.revokedCount();
        for (uint256 i = 0; i < n; i++) {
            bytes32 id = handler.revokedIds(i);
            require(!consent.isValid(id), "a revoked grant validates");
            require(consent.getGrant(id).revokedBlock != 0, "a revoked grant lost its revocation");
        }
    }

    /// A replayed signature is never accepted.
    function invariant_noReplay() public view {
        require(handler.replaysAccepted() == 0, "a replayed revocation was accepted");
    }
}

/// Fuzz: for any patient key, window and later time, a grant revoked in its window is invalid.
contract ConsentRegistryFuzz {
    ConsentRegistry consent;

    function setUp() public {
        ParticipantRegistry registry = new ParticipantRegistry(address(this), 0);
        consent = new ConsentRegistry(registry);
        registry.register(keccak256("relay"), ParticipantRegistry.Kind.Hospital, address(this), bytes32(uint256(1)), "relay", "");
    }

    function testFuzz_revokedGrantIsNeverValid(uint256 key, uint32 duration, uint32 later) public {
        key = 1 + key % (115792089237316195423570985008687907852837564279074904382605163141518161494336);
        vm.assume(duration > 0);
        address patient = vm.addr(key);
        uint64 start = uint64(block.timestamp);
        ConsentRegistry.Grant memory g = ConsentRegistry.Grant(
            patient, keccak256("grantee"), keccak256("scope"), ConsentRegistry.Purpose.Treatment, start, start + duration, 0
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, consent.grantDigest(g));
        bytes32 id = consent.grant(g, abi.encodePacked(r, s, v));
        require(consent.isValid(id), "a fresh grant in its window is valid");
        (v, r, s) = vm.sign(key, consent.revokeDigest(patient, id, 1));
        consent.revoke(patient, id, 1, abi.encodePacked(r, s, v));
        vm.warp(block.timestamp + later);
        require(!consent.isValid(id), "a revoked grant validates");
    }
}
