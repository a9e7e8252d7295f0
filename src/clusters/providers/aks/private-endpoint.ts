import { connect } from 'node:net';
import { AppError } from '../../../errors.js';

/**
 * Whether a TCP connection to the API server opens in time. A private cluster's server has only
 * a private IP (its name may not even resolve outside the network), so one connection attempt
 * tells whether this machine sits in a network that reaches it.
 */
export function canReach(server: string, timeoutMs: number): Promise<boolean> {
  const url = new URL(server);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 443) });
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(reached: boolean): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(reached);
    }
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Why a private AKS API server cannot be used from here, and the two ways around it. */
export function privateEndpointError(cluster: string, server: string, cause?: unknown): AppError {
  return new AppError(
    'cluster.unreachable',
    `the API server of AKS cluster ${cluster} is private (${server}) and this machine cannot reach it`,
    {
      fix: "Run Gatehouse inside the cluster's virtual network (or a peered network, VPN or private endpoint), or add run command to Gatehouse's Azure role (`gatehouse setup azure --for <capability> --subscription <id> --private`): Gatehouse then goes through AKS run command by itself (a pod in namespace aks-command, tens of seconds per call)",
      ...(cause === undefined ? {} : { cause }),
      details: { server },
    },
  );
}
