// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721Votes} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721Votes.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

/// @title ConsortiumMembership
/// @author Carechain
/// @notice The consortium's voting members: one non-transferable seat (an ERC-721 token with
/// OpenZeppelin's vote checkpoints) per member account, one vote per seat. Each seat delegates to its
/// holder on admission, so a member votes without a further step. Seats are admitted and withdrawn
/// only by the owner: the consortium's timelock, that is, by a passed and delayed vote. The clock is
/// the block timestamp, so voting periods are in seconds on any chain.
contract ConsortiumMembership is ERC721Votes, Ownable {
    /// @notice A seat cannot change hands; withdraw it and admit the new account instead.
    error SeatNotTransferable();
    /// @notice The account already holds a seat.
    /// @param member The account.
    error AlreadyMember(address member);

    /// @notice Deploys the membership with its first members.
    /// @param members The founding members, one seat each.
    /// @param owner_ The consortium's timelock, which admits and withdraws members afterwards.
    constructor(address[] memory members, address owner_)
        ERC721("Carechain consortium seat", "CCSEAT")
        EIP712("Carechain consortium seat", "1")
        Ownable(owner_)
    {
        for (uint256 i = 0; i < members.length; ++i) {
            _admit(members[i]);
        }
    }

    /// @notice Admits a member (the timelock only).
    /// @param member The member's account.
    function admit(address member) external onlyOwner {
        _admit(member);
    }

    /// @notice Withdraws a member's seat and vote (the timelock only).
    /// @param member The member's account.
    function withdraw(address member) external onlyOwner {
        _burn(_seatOf(member));
    }

    /// @notice Whether an account holds a seat.
    /// @param account The account.
    /// @return True for a member.
    function isMember(address account) external view returns (bool) {
        return balanceOf(account) > 0;
    }

    /// @notice The vote clock: block timestamps (ERC-6372).
    /// @return The current timestamp.
    function clock() public view override returns (uint48) {
        return Time.timestamp();
    }

    /// @notice The vote clock's mode (ERC-6372).
    /// @return "mode=timestamp".
    function CLOCK_MODE() // solhint-disable-line func-name-mixedcase
        public
        pure
        override
        returns (string memory)
    {
        return "mode=timestamp";
    }

    function _admit(address member) private {
        if (balanceOf(member) > 0) revert AlreadyMember(member);
        _safeMint(member, _seatIdOf(member));
        _delegate(member, member);
    }

    function _seatOf(address member) private view returns (uint256 id) {
        id = _seatIdOf(member);
        _requireOwned(id);
    }

    function _seatIdOf(address member) private pure returns (uint256) {
        return uint256(uint160(member));
    }

    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = _ownerOf(tokenId);
        if (from != address(0) && to != address(0)) revert SeatNotTransferable();
        return super._update(to, tokenId, auth);
    }
}
