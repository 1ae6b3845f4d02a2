#if canImport(Glibc)
import Glibc
#endif

// Thin wrappers over libm so the rest of the module does not depend on
// Foundation (which adds tens of milliseconds to process start-up).
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Glibc.sin(x) }
@inline(__always) func _expf(_ x: Float) -> Float { Glibc.expf(x) }
@inline(__always) func _logf(_ x: Float) -> Float { Glibc.logf(x) }
@inline(__always) func _tanhf(_ x: Float) -> Float { Glibc.tanhf(x) }
@inline(__always) func _erff(_ x: Float) -> Float { Glibc.erff(x) }
@inline(__always) func _powf(_ x: Float, _ y: Float) -> Float { Glibc.powf(x, y) }
