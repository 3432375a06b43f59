#if canImport(Glibc)
    import Glibc
#endif

/// Which wolfSSL the process actually loaded, read at run time: the library file mapped into the
/// process (`/proc/self/maps`) and whether it carries wolfSSL's P-256 single-precision x86_64
/// assembly (Debian's build does not; `make wolfssl-fast` does). A build flag could lie: without
/// the rpath the loader silently picks Debian's library, which has the same soname.
public enum WolfSSLBuild {
    /// The path of the loaded libwolfssl.
    public static var libraryPath: String? {
        WolfSSLLibrary.ensureInitialized()
        guard let file = fopen("/proc/self/maps", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let start = text.firstIndex(of: "/"), text.contains("libwolfssl") {
                return String(text[start...].prefix { $0 != "\n" })
            }
        }
        return nil
    }

    /// Whether the loaded library exports the SP P-256 assembly entry points.
    public static var hasP256Assembly: Bool {
        dlsym(nil, "sp_256_mul_avx2_4") != nil || dlsym(nil, "sp_256_mul_4") != nil
    }

    /// `5.5.4, /usr/lib/x86_64-linux-gnu/libwolfssl.so.35.3.0, P-256 generic C (no SP assembly)`.
    public static var summary: String {
        let math = Self.hasP256Assembly ? "P-256 SP x86_64 assembly" : "P-256 generic C (no SP assembly)"
        return "\(WolfSSLLibrary.version), \(Self.libraryPath ?? "libwolfssl"), \(math)"
    }
}
