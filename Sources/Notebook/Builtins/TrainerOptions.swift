import Lang
import RL

/// The language's side of the trainer options (RL's `TrainerConfig.options`):
/// trainer()'s parameters, reading them from a call, their help lines and the
/// trainer's summary. compare() takes trainer()'s parameters, so it follows;
/// replay() takes the ones that concern advantages.
enum TrainerOptions {
    /// policy, data, then one parameter per option in table order; eval_data (a
    /// dataset for the trainer, not a setting) right after eval_every, where it
    /// has always been.
    static let parameters: [Parameter] = [Parameter("policy"), Parameter("data")] + TrainerConfig.options.flatMap { o -> [Parameter] in
        let p = Parameter(o.name, default: o.kind == .reward ? Value.none : value(o.defaultValue), help: o.help)
        return o.name == "eval_every" ? [p, Parameter("eval_data", default: Value.none, help: "the dataset eval_every scores")] : [p]
    }

    /// Parameters for some options, in the order given (for builtins that take a few).
    static func parameters(_ names: [String]) -> [Parameter] {
        names.map { name in
            guard let o = TrainerConfig.option(named: name) else { preconditionFailure("no trainer option \(name)") }
            return Parameter(o.name, default: o.kind == .reward ? Value.none : value(o.defaultValue), help: o.help)
        }
    }

    static func value(_ v: TrainerOption.Value) -> Value {
        switch v {
        case .number(let x): return .number(x)
        case .integer(let n): return .number(Double(n))
        case .bool(let b): return .bool(b)
        case .text(let s): return .string(s)
        case .matrix(let m): return .list(m.map { row in .list(row.map { .number($0) }) })
        case .none: return .none
        }
    }

    /// The configuration a call asks for (the options among its parameters; the
    /// others keep their defaults), and its reward function if it gave one.
    static func config(_ a: Arguments, classes: Int = 0, interp: Interpreter) throws -> (TrainerConfig, ((Int, Int, Int) throws -> Double)?) {
        var c = TrainerConfig()
        var rewardFunction: ((Int, Int, Int) throws -> Double)?
        let callee = a.callee + "()"
        for o in TrainerConfig.options where a.parameters.contains(where: { $0.name == o.name }) {
            let v: TrainerOption.Value
            switch o.kind {
            case .number: v = .number(try a.number(o.name))
            case .integer: v = .integer(try a.integer(o.name))
            case .bool: v = .bool(try a.bool(o.name))
            case .optionalNumber: v = try a.optionalNumber(o.name).map { .number($0) } ?? .none
            case .choice: v = .text(try a.string(o.name))
            case .reward:
                let reward = try TrainingBuiltins.rewardArgument(a[o.name], classes: classes, interp: interp, callee: callee)
                rewardFunction = reward.function
                v = reward.option.optionValue
            }
            try located(callee) { try o.set(v, in: &c) }
        }
        return (c, rewardFunction)
    }

    /// Runs library code, naming the builtin in the errors it throws (which speak in the library's terms).
    static func located<T>(_ callee: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as TrainerOptionError {
            throw RuntimeError(callee + ": " + e.message)
        } catch let e as RLError {
            throw RuntimeError(callee + ": " + e.description)
        }
    }

    /// " · reward balanced · T 1.5 · …": the options not at their defaults that the summary shows.
    static func summary(_ t: Trainer) -> String {
        let parts = TrainerConfig.options.compactMap { o in o.kind == .reward && t.reward != nil ? "reward fn" : o.summary(of: t.config) }
        return parts.isEmpty ? "" : " · " + parts.joined(separator: " · ")
    }
}
