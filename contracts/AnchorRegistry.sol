// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title AnchorRegistry
/// @notice Append-only history of Merkle roots (RFC 6962 tree heads) of each organization's logs:
/// record versions, audit entries, supply-chain events. One transaction anchors a whole batch, so the
/// chain carries one root per batch instead of one transaction per fact. Tree sizes must grow, which
/// makes a rewritten or truncated log visible to anyone holding an earlier root.
contract AnchorRegistry {
    enum LogKind {
        Records,
        Audit,
        Supply,
        Claims,
        Trials
    }

    struct Anchor {
        uint64 treeSize;
        uint64 timestamp;
        uint64 blockNumber;
        bytes32 root;
    }

    ParticipantRegistry public immutable participants;

    /// keccak256(orgId, kind, logId) => roots in anchoring order
    mapping(bytes32 => Anchor[]) private _anchors;

    event Anchored(
        bytes32 indexed orgId,
        LogKind indexed kind,
        bytes32 indexed logId,
        uint256 index,
        uint64 treeSize,
        bytes32 root,
        uint64 timestamp
    );

    error NotActiveParticipant(address caller);
    error TreeSizeMustGrow(uint64 latest, uint64 proposed);
    error EmptyRoot();
    error NoAnchor();

    constructor(ParticipantRegistry registry) {
        participants = registry;
    }

    /// Anchors the root of the caller's log `logId` of kind `kind` at size `treeSize`.
    function anchor(LogKind kind, bytes32 logId, uint64 treeSize, bytes32 root) external {
        if (!participants.isActiveSigner(msg.sender)) revert NotActiveParticipant(msg.sender);
        if (root == bytes32(0)) revert EmptyRoot();
        bytes32 orgId = participants.orgOfSigner(msg.sender);
        Anchor[] storage list = _anchors[_key(orgId, kind, logId)];
        uint64 current = list.length == 0 ? 0 : list[list.length - 1].treeSize;
        if (treeSize <= current) revert TreeSizeMustGrow(current, treeSize);
        list.push(Anchor(treeSize, uint64(block.timestamp), uint64(block.number), root));
        emit Anchored(orgId, kind, logId, list.length - 1, treeSize, root, uint64(block.timestamp));
    }

    function anchorCount(bytes32 orgId, LogKind kind, bytes32 logId) external view returns (uint256) {
        return _anchors[_key(orgId, kind, logId)].length;
    }

    function anchorAt(bytes32 orgId, LogKind kind, bytes32 logId, uint256 index)
        external
        view
        returns (Anchor memory)
    {
        return _anchors[_key(orgId, kind, logId)][index];
    }

    function latest(bytes32 orgId, LogKind kind, bytes32 logId) external view returns (Anchor memory) {
        Anchor[] storage list = _anchors[_key(orgId, kind, logId)];
        if (list.length == 0) revert NoAnchor();
        return list[list.length - 1];
    }

    function _key(bytes32 orgId, LogKind kind, bytes32 logId) private pure returns (bytes32) {
        return keccak256(abi.encode(orgId, kind, logId));
    }
}
