import { RestError } from '@azure/arm-containerservice';
import { AggregateAuthenticationError, CredentialUnavailableError } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors.js';
import { azureError, deniedAction } from './errors.js';

describe('Azure errors', () => {
  it('reads the refused action from an AuthorizationFailed message', () => {
    expect(
      deniedAction(
        "The client 'a' with object id 'a' does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/runCommand/action' over scope '/subscriptions/s' or the scope is invalid.",
      ),
    ).toBe('Microsoft.ContainerService/managedClusters/runCommand/action');
    expect(deniedAction('Forbidden')).toBeUndefined();
  });

  it('treats every way @azure/identity fails to get a token as a login problem', () => {
    const chain = new AggregateAuthenticationError(
      [new CredentialUnavailableError('AzureCliCredential: Please run az login')],
      'ChainedTokenCredential authentication failed.\nCredentialUnavailableError: AzureCliCredential: Please run az login',
    );
    const error = azureError(chain, 'listing AKS clusters');
    expect(error.code).toBe('auth.unauthorized');
    expect(error.message).toBe(
      'listing AKS clusters: Azure did not accept the credentials (AggregateAuthenticationError: ChainedTokenCredential authentication failed.)',
    );
    expect(error.fix).toMatch(/az login/);
  });

  it('says Azure Resource Manager is out of reach on network failures', () => {
    const error = azureError(
      new RestError('getaddrinfo ENOTFOUND management.azure.com', { code: 'ENOTFOUND' }),
      'listing',
    );
    expect(error.code).toBe('cluster.unreachable');
    expect(error.fix).toMatch(/HTTPS_PROXY/);
  });

  it('prefers the error body ARM sent over the SDK pager message', () => {
    const error = azureError(
      new RestError('Pagination failed with unexpected statusCode 403', {
        statusCode: 403,
        code: 'AuthorizationFailed',
      }),
      'listing',
      {
        error: {
          code: 'AuthorizationFailed',
          message: "cannot perform action 'Microsoft.ContainerService/managedClusters/read' over scope",
        },
      },
    );
    expect(error.details.action).toBe('Microsoft.ContainerService/managedClusters/read');
  });

  it('keeps the code and fix of an AppError and adds what was being done', () => {
    const error = azureError(
      new AppError('not-found', 'gone', { fix: 'look elsewhere' }),
      'reading cluster x',
    );
    expect(error.describe()).toBe('reading cluster x: gone. look elsewhere');
  });
});
