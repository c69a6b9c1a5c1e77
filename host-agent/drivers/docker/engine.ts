// Where the Docker engine is and whether it answers. Reads DOCKER_HOST like the docker
// CLI does (unix:// or tcp://), so one variable points the agent and tests at an engine.
import Docker from 'dockerode';
import { errorCode, errorMessage } from '../../util/errors';
import { DriverUnavailableError } from '../protocol';

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

export interface EngineAddress {
  /** As the user would write it in DOCKER_HOST. */
  display: string;
  options: Docker.DockerOptions;
}

export function engineAddress(dockerHost?: string): EngineAddress {
  const host = dockerHost || DEFAULT_DOCKER_HOST;
  if (host.startsWith('unix://')) return { display: host, options: { socketPath: host.slice('unix://'.length) } };
  if (host.startsWith('/')) return { display: `unix://${host}`, options: { socketPath: host } };
  const m = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(host);
  if (m) return { display: host, options: { host: m[1], port: Number(m[2]), protocol: 'http' } };
  throw new Error(`DOCKER_HOST: expected unix:///path/to/docker.sock or tcp://host:port, got ${JSON.stringify(host)}`);
}

export const ENGINE_HOW_TO =
  'install it with `apt-get install docker.io` and start dockerd (or point DOCKER_HOST at a running engine, e.g. unix:///run/docker.sock)';

/** Pings the engine; a DriverUnavailableError naming the driver and the address otherwise. */
export async function pingEngine(docker: Docker, address: EngineAddress, timeoutMs = 3000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([docker.ping(), timeout]);
  } catch (err) {
    const code = errorCode(err);
    const why = code === 'ENOENT' ? 'no socket there' : code === 'ECONNREFUSED' ? 'connection refused' : errorMessage(err);
    throw new DriverUnavailableError('docker', `docker driver: no Docker engine answers at ${address.display} (${why}); ${ENGINE_HOW_TO}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The HTTP status of an engine error (404: no such object, 304: already in that state), if it has one. */
export function statusCode(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'statusCode' in err && typeof err.statusCode === 'number') return err.statusCode;
  return undefined;
}

/** Memory and CPUs of the engine's host, from `GET /info`. */
export async function engineHostSize(docker: Docker): Promise<{ memBytes: number; cpus: number }> {
  const info: unknown = await docker.info();
  if (typeof info === 'object' && info !== null && 'MemTotal' in info && 'NCPU' in info && typeof info.MemTotal === 'number' && typeof info.NCPU === 'number') {
    return { memBytes: info.MemTotal, cpus: info.NCPU };
  }
  throw new Error('docker driver: the engine did not say its memory and CPUs (GET /info)');
}
