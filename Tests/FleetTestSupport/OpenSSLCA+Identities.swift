import Foundation

extension OpenSSLCA {
    /// Issues client certificates for `ids` and lays them out as `run --identities` reads them
    /// (`<folder>/<id>.pem` and `<id>.key`); returns the folder and the first device's certificate.
    @discardableResult
    public func identities(_ ids: [String], in folder: String) async throws -> (folder: String, first: String) {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var first = ""
        for id in ids {
            let (certificate, key) = try await self.issue(id)
            try FileManager.default.copyItem(atPath: certificate, toPath: "\(folder)/\(id).pem")
            try FileManager.default.copyItem(atPath: key, toPath: "\(folder)/\(id).key")
            if first.isEmpty { first = certificate }
        }
        return (folder, first)
    }
}
