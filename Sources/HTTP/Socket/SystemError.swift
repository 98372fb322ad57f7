import Foundation

/// A failed system call, with errno captured at the point of failure.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    public let operation: String
    public let errno: Int32

    public init(_ operation: String, errno code: Int32 = Foundation.errno) {
        self.operation = operation
        self.errno = code
    }

    public var description: String { "\(operation): \(String(cString: strerror(errno))) (errno \(errno))" }
}
