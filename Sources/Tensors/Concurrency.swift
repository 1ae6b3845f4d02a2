/// Runs `first` on this thread and `second` on the helper thread that splits
/// matrix products, returning when both are done. With one core, or when the
/// helper is serving another caller, both run here one after the other, so
/// work split this way must not depend on which thread runs which half.
public func runOnTwoCores(_ first: () -> Void, _ second: @escaping () -> Void) {
    if let pool = ParallelGEMM.shared {
        pool.run(first, second)
    } else {
        first()
        second()
    }
}
