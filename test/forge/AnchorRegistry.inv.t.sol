// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AnchorRegistry} from "../../contracts/AnchorRegistry.sol";
import {ParticipantRegistry} from "../../contracts/ParticipantRegistry.sol";
import {vm} from "./Vm.sol";

/// Drives AnchorRegistry with random anchors from three organizations (and one outsider), and
/// remembers what each accepted.
contract AnchorHandler {
    AnchorRegistry public immutable anchors;
    address[4] public callers;
    bytes32[4] public orgIds;
    mapping(address => uint64) public lastAccepted;
    mapping(address => uint256) public accepted;
    uint256 public outsiderAccepted;

    constructor(AnchorRegistry a, address[4] memory signers, bytes32[4] memory ids) {
        anchors = a;
        callers = signers;
        orgIds = ids;
    }

    function anchor(uint8 who, uint64 treeSize, bytes32 root) external {
        address caller = callers[who % 4];
        vm.prank(caller);
        try anchors.anchor(AnchorRegistry.LogKind.Audit, keccak256("audit"), treeSize, root) {
            if (who % 4 == 3) outsiderAccepted++;
            lastAccepted[caller] = treeSize;
            accepted[caller]++;
        } catch {}
    }
}

contract AnchorRegistryInvariants {
    ParticipantRegistry registry;
    AnchorRegistry anchors;
    AnchorHandler handler;

    function setUp() public {
        registry = new ParticipantRegistry(address(this), 0);
        anchors = new AnchorRegistry(registry);
        address[4] memory signers = [vm.addr(1), vm.addr(2), vm.addr(3), vm.addr(4)];
        bytes32[4] memory ids;
        for (uint256 i = 0; i < 3; i++) {
            ids[i] = keccak256(abi.encode("org", i));
            registry.register(ids[i], ParticipantRegistry.Kind.Hospital, signers[i], bytes32(uint256(1)), "org", "");
        }
        handler = new AnchorHandler(anchors, signers, ids);
    }

    /// forge: only the handler is called during invariant runs.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// Each organization's anchored sizes only grow, and the latest is the last one accepted.
    function invariant_anchorSizesOnlyGrow() public view {
        for (uint256 o = 0; o < 3; o++) {
            bytes32 orgId = handler.orgIds(o);
            uint256 n = anchors.anchorCount(orgId, AnchorRegistry.LogKind.Audit, keccak256("audit"));
            require(n == handler.accepted(handler.callers(o)), "anchor count differs from accepted anchors");
            uint64 previous = 0;
            for (uint256 i = 0; i < n; i++) {
                AnchorRegistry.Anchor memory a = anchors.anchorAt(orgId, AnchorRegistry.LogKind.Audit, keccak256("audit"), i);
                require(a.treeSize > previous, "an anchor did not grow the tree");
                require(a.root != bytes32(0), "an empty root was anchored");
                previous = a.treeSize;
            }
            if (n > 0) require(previous == handler.lastAccepted(handler.callers(o)), "latest anchor is not the last accepted");
        }
    }

    /// Nobody outside the registry anchors anything.
    function invariant_outsidersNeverAnchor() public view {
        require(handler.outsiderAccepted() == 0, "an unregistered signer anchored");
    }
}
