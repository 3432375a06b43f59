import Testing

@testable import FleetTLS

#if canImport(Glibc)
    import Glibc
#endif

/// Whole zero pages of a heap block go back to the kernel; the block reads the same afterwards.
@Suite struct ZeroPagesTests {
    @Test func onlyWholeZeroPagesInsideTheBlockAreReleasedAndTheContentsStay() throws {
        let page = ZeroPages.pageSize
        let count = 10 * page
        let block = try #require(calloc(1, count))
        defer { free(block) }
        let bytes = block.assumingMemoryBound(to: UInt8.self)
        // Touch every page, then leave marks in pages 1 and 6 (relative to the first aligned page).
        memset(block, 0, count)
        let firstAligned = (page - Int(UInt(bitPattern: block) % UInt(page))) % page
        bytes[firstAligned + page + 17] = 0xA5
        bytes[firstAligned + 6 * page + page - 1] = 0x5A
        let wholePages = (count - firstAligned) / page
        let released = ZeroPages.release(block, count: count)
        #expect(released == (wholePages - 2) * page)
        #expect(bytes[firstAligned + page + 17] == 0xA5)
        #expect(bytes[firstAligned + 6 * page + page - 1] == 0x5A)
        #expect((0..<count).filter { bytes[$0] != 0 }.count == 2)
        // A block smaller than a page gives nothing back.
        #expect(ZeroPages.release(block, count: page - 1) == 0)
    }
}
