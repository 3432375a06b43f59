import Fleet
import FleetCore
import FleetPKI
import FleetTLS
import Foundation

/// What `run` and `repro` both build before any device connects: the profile with the flags over
/// it, the shared client TLS context, and the listing of the identities folder.
struct FleetSetup {
    var profile: DeviceProfile
    var sources: IdentityOptions.Resolved
    var context: TLSContext
    var listing: IdentityDirectory.Listing
    /// For encrypted device keys (`--key-passphrase-env`).
    var passphrase: KeyPassphrase?
    /// The MQTT password every device sends (from the profile's or the flags' variable or file).
    var mqttPassword: [UInt8]?

    init(behaviour: BehaviourOptions, identities: IdentityOptions) throws {
        var profile = DeviceProfile()
        if let path = behaviour.profile {
            do { profile = try DeviceProfile.load(path: path) } catch { throw InputError(error) }
        }
        behaviour.apply(to: &profile)
        self.mqttPassword = behaviour.mode == .mqtt ? try MQTTOptions.password(profile.mqtt.password) : nil
        let sources = try identities.resolve(profileDeviceCA: profile.deviceCAPath)
        self.passphrase = try identities.passphrase()
        var configuration = TLSConfiguration.makeClientConfiguration(trustRootsPEM: sources.trustPEM)
        configuration.minimumVersion = profile.minimumVersion
        configuration.maximumVersion = profile.maximumVersion
        configuration.groups = profile.groups
        configuration.cipherSuites = profile.cipherSuites
        configuration.maxFragmentLength = profile.maxFragmentLength
        configuration.sessionTickets = profile.resumption != .sessionIDs
        configuration.alpn = profile.alpn
        configuration.ocsp = profile.ocsp
        do {
            self.context = try TLSContext(configuration: configuration)
        } catch {
            switch error.input {
            case .trust: throw InputError(.tls(error.code), "\(sources.caPath): \(error.message)", path: sources.caPath)
            case .crl, .other: throw InputError(.tls(error.code), error.message)
            }
        }
        do {
            self.listing = try IdentityDirectory.list(sources.devicesPath)
        } catch {
            throw InputError(error)
        }
        self.profile = profile
        self.sources = sources
    }

    /// Reads, decrypts and validates the identities `ids` of the folder, once.
    func load(_ ids: [String]) async -> [FleetDevice] {
        await IdentityDirectory.load(ids, of: self.listing, context: self.context, passphrase: self.passphrase)
    }

    /// The TLS versions offered, as the report writes them.
    var tlsText: String {
        self.profile.minimumVersion == self.profile.maximumVersion
            ? self.profile.minimumVersion.rawValue
            : "\(self.profile.minimumVersion.rawValue)-\(self.profile.maximumVersion.rawValue)"
    }

    /// The diagnosis of a failed device from its certificate, key, the CA and the CRL.
    ///
    /// - Parameter ocsp: what an OCSP responder said about some of them (`--diagnose-ocsp`), added
    ///   after the lint's findings.
    func diagnose(
        _ fleet: [FleetDevice],
        ocsp: [String: [LintFinding]] = [:]
    ) -> (String) -> [(code: String, message: String)] {
        // Against what the backend trusts for devices, never against the server's CA.
        let diagnosis = DeviceDiagnosis(trusted: self.sources.deviceTrusted, crls: self.sources.crls)
        let byID = Dictionary(uniqueKeysWithValues: fleet.map { ($0.id, $0) })
        return { id in
            guard let device = byID[id] else { return [] }
            let findings = diagnosis.findings(chainPEM: device.chainPEM, keyPEM: device.keyPEM, id: id)
            return (findings + (ocsp[id] ?? [])).compactMap { finding in
                finding.code.map { ($0.rawValue, finding.message) }
            }
        }
    }
}
