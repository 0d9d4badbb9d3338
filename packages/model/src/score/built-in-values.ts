/**
 * The values Paved records on an instance of a built-in Score type (driver `score`) when it
 * applies the workload: `resolved` holds the instance's outputs, `waitingFor` (when set) what
 * they still wait for. Shared by the server, which writes them, and the driver, which reads them.
 */
export const RESOLVED_VALUE = 'resolved';
export const WAITING_FOR_VALUE = 'waitingFor';
