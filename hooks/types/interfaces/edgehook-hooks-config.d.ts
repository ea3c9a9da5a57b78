declare module 'edgehook:hooks/config@0.1.0' {
  /**
   * A string config verbatim; any other value as JSON text; "" when absent.
   */
  export function get(): string;
}
