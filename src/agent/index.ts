export { admitKubernetesCall } from './api-guard.js';
export { recordConnected, recordDisconnected, renewPresence } from './presence.js';
export {
  type AgentHello,
  type AnswerFrame,
  type CallerFrame,
  encodeFrame,
  maxFrameBytes,
  parseAnswerFrame,
  parseCallerFrame,
} from './protocol.js';
export { connectProxyAgent, proxyFor } from './proxy.js';
export {
  type Agent,
  type AgentState,
  agentCluster,
  agentClusterStatuses,
  agentHeartbeatMs,
  agentPrincipal,
  agentState,
  authenticateAgent,
  createAgent,
  findAgent,
  isAgentCluster,
  listAgents,
  revokeAgent,
  rotateAgentToken,
} from './records.js';
export { AgentRegistry, type AgentSession, agentLost } from './registry.js';
export { dialRelay, type Relay, type RelayOptions } from './relay-client.js';
export { relayPolicy } from './relay-policy.js';
export {
  announceReplica,
  authenticateReplica,
  isReplicaSecret,
  renewReplica,
  replicaHolding,
} from './replicas.js';
export { directTransport, type RunAgentOptions, runAgent } from './run-agent.js';
export { type Answerer, answerTunnel } from './tunnel-answer.js';
export { type FrameSocket, TunnelClient } from './tunnel-client.js';
