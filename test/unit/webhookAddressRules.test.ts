import {
  addressRefusal,
  classifyAddress,
  webhookUrlRefusal,
  type WebhookAddressPolicy,
} from '../../src/webhooks/rules/addressRules';

const PRODUCTION: WebhookAddressPolicy = { allowHttp: false, allowPrivateAddresses: false };
const DEVELOPMENT: WebhookAddressPolicy = { allowHttp: true, allowPrivateAddresses: true };

describe('classifyAddress: is an IP address public', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['169.254.169.254', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['100.64.0.1', 'reserved'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['ff02::1', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'link_local'],
    ['2002:c0a8:0101::1', 'private'],
    ['not-an-address', 'reserved'],
    ['1.2.3', 'reserved'],
    ['256.1.1.1', 'reserved'],
    ['1::2::3', 'reserved'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each([['8.8.8.8'], ['172.32.0.1'], ['192.169.0.1'], ['2a00:1450:4007:80e::200e'], ['::ffff:8.8.8.8']])(
    '%s is public',
    (address) => {
      expect(classifyAddress(address)).toBe('public');
    },
  );
});

describe('webhookUrlRefusal: may this URL be registered', () => {
  it('takes an https URL of a public host in production', () => {
    expect(webhookUrlRefusal('https://erp.example.org/hooks', PRODUCTION)).toBeNull();
    expect(webhookUrlRefusal('https://8.8.8.8/hooks', PRODUCTION)).toBeNull();
  });

  it('refuses http, loopback, private and link-local hosts in production', () => {
    expect(webhookUrlRefusal('http://erp.example.org/hooks', PRODUCTION)?.code).toBe('webhook_url_not_https');
    for (const url of [
      'https://127.0.0.1:9000/hooks',
      'https://localhost/hooks',
      'https://api.localhost/hooks',
      'https://[::1]/hooks',
      'https://10.0.0.5/hooks',
      'https://[fd00::5]/hooks',
      'https://169.254.169.254/latest/meta-data',
      'https://[::ffff:192.168.0.1]/',
    ])
      expect([url, webhookUrlRefusal(url, PRODUCTION)?.code]).toEqual([url, 'webhook_address_forbidden']);
  });

  it('allows both outside production (a receiver on this machine)', () => {
    expect(webhookUrlRefusal('http://127.0.0.1:9000/hooks', DEVELOPMENT)).toBeNull();
    expect(webhookUrlRefusal('http://localhost/hooks', DEVELOPMENT)).toBeNull();
  });

  it('refuses what is not an http(s) URL, and credentials in it, whatever the policy', () => {
    for (const url of [
      'erp.example.org/hooks',
      'ftp://erp.example.org/',
      'file:///etc/passwd',
      'https://u:p@erp.example.org/',
    ])
      expect([url, webhookUrlRefusal(url, DEVELOPMENT)?.code]).toEqual([url, 'webhook_url_invalid']);
  });

  it('names the address and its class in both languages', () => {
    const refusal = addressRefusal('10.0.0.5', PRODUCTION);
    expect(refusal?.message.fr).toContain('10.0.0.5');
    expect(refusal?.message.fr).toContain('privée');
    expect(refusal?.message.en).toContain('private');
    expect(addressRefusal('10.0.0.5', DEVELOPMENT)).toBeNull();
  });
});
