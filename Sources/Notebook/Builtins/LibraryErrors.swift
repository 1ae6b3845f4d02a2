import Data
import Fairness

/// How the library's errors read in the language. The library speaks in its
/// own terms ("test must be a fraction between 0 and 1"); a builtin that
/// lets such an error through reports it under its name ("split(): …") and
/// the interpreter adds the call's place. A file's problem already names the
/// file, line and column and is shown as it is. (Trainer errors are named
/// where the options are read: `TrainerOptions.located`.)
enum LibraryErrors {
    static func text(_ error: Error) -> String? {
        switch error {
        case DataError.invalidArgument(let message): return message
        case let e as FairnessError: return e.description
        default: return nil
        }
    }
}
