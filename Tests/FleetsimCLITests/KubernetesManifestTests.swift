import FleetTestSupport
import Foundation
import Testing
import Yams

/// `deploy/kubernetes/`: the Indexed Job manifest has what a sharded run depends on.
@Suite struct KubernetesManifestTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../deploy/kubernetes"
    ).standardized.path

    static func documents(_ name: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: "\(Self.directory)/\(name)", encoding: .utf8)
        return try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
    }

    @Test func theJobIsAnIndexedJobWhoseShardsMatchItsCompletions() throws {
        let job = try #require(try Self.documents("fleetsim-job.yaml").first)
        #expect(job["apiVersion"] as? String == "batch/v1")
        #expect(job["kind"] as? String == "Job")
        let spec = try #require(job["spec"] as? [String: Any])
        #expect(spec["completionMode"] as? String == "Indexed")
        let completions = try #require(spec["completions"] as? Int)
        #expect(spec["parallelism"] as? Int == completions)
        let pod = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
        #expect(pod["restartPolicy"] as? String == "Never")
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        #expect((container["image"] as? String)?.isEmpty == false)
        let args = try #require(container["args"] as? [String])
        #expect(args.first == "run")
        func value(_ flag: String) -> String? {
            args.firstIndex(of: flag).flatMap { args.indices.contains($0 + 1) ? args[$0 + 1] : nil }
        }
        #expect(value("--shards") == String(completions), "--shards must equal completions")
        #expect(value("--shard") == nil)
        let json = try #require(value("--json"))
        #expect(json.contains("$(JOB_COMPLETION_INDEX)"), "each shard needs its own report file")
        #expect(value("--target") != nil)
        #expect(value("--identities") != nil && value("--ca") != nil)

        // The index is in the environment (so $(…) expands) from the Job's annotation.
        let env = try #require(container["env"] as? [[String: Any]])
        let index = try #require(env.first { $0["name"] as? String == "JOB_COMPLETION_INDEX" })
        let fieldPath = ((index["valueFrom"] as? [String: Any])?["fieldRef"] as? [String: Any])?["fieldPath"] as? String
        #expect(fieldPath == "metadata.annotations['batch.kubernetes.io/job-completion-index']")

        // Every mount has its volume, the report goes to a mounted volume, requests are set.
        let mounts = try #require(container["volumeMounts"] as? [[String: Any]])
        let volumes = Set(((pod["volumes"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String })
        for mount in mounts { #expect(volumes.contains(mount["name"] as? String ?? ""), "\(mount)") }
        let mountPaths = mounts.compactMap { $0["mountPath"] as? String }
        #expect(mountPaths.contains { json.hasPrefix($0 + "/") }, "the report path must be on a volume")
        #expect(mountPaths.contains { value("--identities")!.hasPrefix($0) })
        let requests = ((container["resources"] as? [String: Any])?["requests"] as? [String: Any]) ?? [:]
        #expect(requests["cpu"] != nil && requests["memory"] != nil)
    }

    @Test func theVolumesTheJobClaimsAreDefined() throws {
        let job = try #require(try Self.documents("fleetsim-job.yaml").first)
        let pod = ((job["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any]
        let claims = ((pod?["volumes"] as? [[String: Any]]) ?? []).compactMap {
            ($0["persistentVolumeClaim"] as? [String: Any])?["claimName"] as? String
        }
        let defined = try Self.documents("volumes.yaml").filter { $0["kind"] as? String == "PersistentVolumeClaim" }
            .compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }
        #expect(!claims.isEmpty)
        for claim in claims { #expect(defined.contains(claim), "\(claim) is not in volumes.yaml") }
    }

    /// kubectl is optional on development machines: without it the test shows as skipped (the parse
    /// checks above always run).
    static let kubectlAvailable = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].contains {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(.enabled(if: kubectlAvailable, "kubectl is not installed"))
    func kustomizeBuildsTheManifests() async throws {
        let directory = try TemporaryDirectory(prefix: "fleetsim-kubectl")
        defer { directory.remove() }
        // Offline: kustomize reads and assembles the resources without a cluster.
        let result = try await ForeignProcess.run("kubectl", ["kustomize", Self.directory], in: directory)
        #expect(result.status == 0, "\(result.output)")
        let documents = try Yams.load_all(yaml: result.stdout).compactMap { $0 as? [String: Any] }
        let job = try #require(documents.first { $0["kind"] as? String == "Job" }, "\(result.stdout)")
        #expect((job["spec"] as? [String: Any])?["completionMode"] as? String == "Indexed")
        #expect(documents.filter { $0["kind"] as? String == "PersistentVolumeClaim" }.count == 2)
    }
}
