extension CommandResult {
    /// The code of the input error `fleetsim` printed (`fleetsim: error[CODE]: …` on stderr), if any.
    public var inputErrorCode: String? {
        guard let start = self.stderr.range(of: "error["),
            let end = self.stderr[start.upperBound...].firstIndex(of: "]")
        else {
            return nil
        }
        return String(self.stderr[start.upperBound..<end])
    }
}
