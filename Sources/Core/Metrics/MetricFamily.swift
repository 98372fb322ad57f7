/// One Prometheus metric family: a name, its help text, its type, and its samples (one per
/// label set). Modules describe their counters with it; `/metrics` renders them.
public struct MetricFamily: Sendable, Equatable {
    public enum Kind: String, Sendable { case counter, gauge }

    public struct Sample: Sendable, Equatable {
        public var labels: [(String, String)]
        public var value: Double

        public init(_ value: Double, labels: [(String, String)] = []) {
            self.value = value
            self.labels = labels
        }

        public init(_ value: Int, labels: [(String, String)] = []) {
            self.init(Double(value), labels: labels)
        }

        public static func == (a: Sample, b: Sample) -> Bool {
            a.value == b.value && a.labels.elementsEqual(b.labels) { $0 == $1 }
        }
    }

    public var name: String
    public var help: String
    public var kind: Kind
    public var samples: [Sample]

    public init(_ name: String, _ kind: Kind, help: String, samples: [Sample]) {
        self.name = name
        self.kind = kind
        self.help = help
        self.samples = samples
    }

    /// A family with one unlabelled sample.
    public init(_ name: String, _ kind: Kind, help: String, value: Int) {
        self.init(name, kind, help: help, samples: [Sample(value)])
    }
}
