import { UnavailableError } from '@paved/model';

/** The settings that choose a listener's address, as the user gives them (`--port or PAVED_PORT`). */
export interface ListenSettings {
  host: string;
  port: string;
}

/** The API's listener: `paved up` and `paved server` both take these. */
export const API_LISTEN_SETTINGS: ListenSettings = { host: '--host or PAVED_HOST', port: '--port or PAVED_PORT' };

/**
 * A listener that could not open its address, said so that the user can act on it: the port is
 * taken (another Paved, most often), or not this user's to take, or the host is not this
 * machine's; with the setting that chooses another. Anything else is passed on as it is.
 */
export function listenError(error: unknown, where: { host: string; port: number }, settings: ListenSettings): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const address = `${where.host}:${where.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new UnavailableError(`${address} is already in use (is another Paved running?): stop what holds it, or choose another port with ${settings.port}`, { code: 'port_in_use' });
    case 'EACCES':
      return new UnavailableError(`${address} may not be opened by this user (ports below 1024 need privileges): choose another port with ${settings.port}`, { code: 'port_not_allowed' });
    case 'EADDRNOTAVAIL':
      return new UnavailableError(`${where.host} is not an address of this machine, so Paved cannot listen on ${address}: choose another with ${settings.host}`, { code: 'host_not_available' });
    default:
      return error;
  }
}
