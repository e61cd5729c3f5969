// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ParticipantGated} from "./ParticipantGated.sol";
import {ParticipantRegistry} from "./ParticipantRegistry.sol";

/// @title AnchorRegistry
/// @author Carechain
/// @notice Append-only history of Merkle roots (RFC 6962 tree heads) of each organization's logs:
/// record versions, audit entries, supply-chain events. One transaction anchors a whole batch, so the
/// chain carries one root per batch instead of one transaction per fact. Tree sizes must grow, which
/// makes a rewritten or truncated log visible to anyone holding an earlier root.
contract AnchorRegistry is ParticipantGated {
    /// @notice What a log records.
    enum LogKind {
        Records,
        Audit,
        Supply,
        Claims,
        Trials
    }

    /// @notice One anchored tree head.
    struct Anchor {
        uint64 treeSize;
        uint64 timestamp;
        uint64 blockNumber;
        bytes32 root;
    }

    /// keccak256(orgId, kind, logId) => roots in anchoring order
    mapping(bytes32 => Anchor[]) private _anchors;

    /// @notice A tree head was anchored.
    /// @param orgId The organization whose log it is.
    /// @param kind The kind of log.
    /// @param logId The log's id within the organization.
    /// @param index The anchor's position in the log's anchor history.
    /// @param treeSize The number of leaves the root covers.
    /// @param root The Merkle root.
    /// @param timestamp The block time.
    event Anchored(
        bytes32 indexed orgId,
        LogKind indexed kind,
        bytes32 indexed logId,
        uint256 index,
        uint64 treeSize,
        bytes32 root,
        uint64 timestamp
    );

    /// @notice A new anchor must cover more leaves than the latest one.
    /// @param latest The latest anchored size.
    /// @param proposed The size proposed.
    error TreeSizeMustGrow(uint64 latest, uint64 proposed);
    /// @notice The zero root is never a valid tree head.
    error EmptyRoot();
    /// @notice The log has no anchor yet.
    error NoAnchor();

    /// @notice Deploys the contract.
    /// @param registry The ParticipantRegistry to trust.
    constructor(ParticipantRegistry registry) ParticipantGated(registry) {}

    /// @notice Anchors the root of the caller's log `logId` of kind `kind` at size `treeSize`.
    /// @param kind The kind of log.
    /// @param logId The log's id within the caller's organization.
    /// @param treeSize The number of leaves the root covers; must grow.
    /// @param root The RFC 6962 Merkle root.
    function anchor(LogKind kind, bytes32 logId, uint64 treeSize, bytes32 root) external {
        bytes32 orgId = _callerOrg();
        if (root == bytes32(0)) revert EmptyRoot();
        Anchor[] storage list = _anchors[_key(orgId, kind, logId)];
        uint64 current = list.length == 0 ? 0 : list[list.length - 1].treeSize;
        if (treeSize <= current) revert TreeSizeMustGrow(current, treeSize);
        list.push(Anchor(treeSize, uint64(block.timestamp), uint64(block.number), root));
        emit Anchored(orgId, kind, logId, list.length - 1, treeSize, root, uint64(block.timestamp));
    }

    /// @notice How many anchors a log has.
    /// @param orgId The organization.
    /// @param kind The kind of log.
    /// @param logId The log's id.
    /// @return The number of anchors.
    function anchorCount(bytes32 orgId, LogKind kind, bytes32 logId) external view returns (uint256) {
        return _anchors[_key(orgId, kind, logId)].length;
    }

    /// @notice One anchor of a log, by position.
    /// @param orgId The organization.
    /// @param kind The kind of log.
    /// @param logId The log's id.
    /// @param index The anchor's position (0 is the first).
    /// @return The anchor.
    function anchorAt(bytes32 orgId, LogKind kind, bytes32 logId, uint256 index)
        external
        view
        returns (Anchor memory)
    {
        return _anchors[_key(orgId, kind, logId)][index];
    }

    /// @notice The latest anchor of a log.
    /// @param orgId The organization.
    /// @param kind The kind of log.
    /// @param logId The log's id.
    /// @return The latest anchor; reverts with NoAnchor if there is none.
    function latest(bytes32 orgId, LogKind kind, bytes32 logId) external view returns (Anchor memory) {
        Anchor[] storage list = _anchors[_key(orgId, kind, logId)];
        if (list.length == 0) revert NoAnchor();
        return list[list.length - 1];
    }

    function _key(bytes32 orgId, LogKind kind, bytes32 logId) private pure returns (bytes32) {
        return keccak256(abi.encode(orgId, kind, logId));
    }
}
