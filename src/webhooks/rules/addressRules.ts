/**
 * Where a webhook may be sent (against SSRF): pure rules on a URL and on an IP address, no I/O. Registration
 * checks the URL (and the addresses its host resolves to); delivery checks every address resolved at that moment
 * and connects only to those (src/webhooks/deliveryHttpClient.ts), so a name re-pointed at an internal address after
 * registration (DNS rebinding) is refused too.
 */
import type { Message } from '../../i18n/message';

/** What configuration allows (config().webhooks): outside production both are allowed by default. */
export interface WebhookAddressPolicy {
  allowHttp: boolean;
  allowPrivateAddresses: boolean;
}

export type AddressClass = 'public' | 'loopback' | 'private' | 'link_local' | 'unspecified' | 'reserved';

export interface WebhookUrlRefusal {
  code: 'webhook_url_invalid' | 'webhook_url_not_https' | 'webhook_address_forbidden';
  message: Message;
}

const CLASS_NAMES: Record<Exclude<AddressClass, 'public'>, Message> = {
  loopback: { fr: 'de bouclage (loopback)', en: 'loopback' },
  private: { fr: 'privée', en: 'private' },
  link_local: { fr: 'lien-local', en: 'link-local' },
  unspecified: { fr: 'non spécifiée', en: 'unspecified' },
  reserved: { fr: 'réservée (non publique)', en: 'reserved (not public)' },
};

/** Why this URL may not receive webhooks, or null. A host name is checked again once resolved (addressRefusal). */
export function webhookUrlRefusal(url: string, policy: WebhookAddressPolicy): WebhookUrlRefusal | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return invalid({ fr: "L'URL n'est pas une URL absolue.", en: 'The URL is not an absolute URL.' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return invalid({ fr: "L'URL doit être en https (ou http).", en: 'The URL must be https (or http).' });
  // Credentials in a URL end up in logs and screens; a receiver authenticates us by the signature instead.
  if (parsed.username !== '' || parsed.password !== '')
    return invalid({
      fr: "L'URL ne doit pas contenir d'identifiant ni de mot de passe.",
      en: 'The URL must not hold a user name or password.',
    });
  if (parsed.protocol === 'http:' && !policy.allowHttp)
    return {
      code: 'webhook_url_not_https',
      message: { fr: "L'URL doit être en https.", en: 'The URL must be https.' },
    };
  const host = hostOf(parsed);
  if (isLocalhostName(host)) return addressRefusal('127.0.0.1', policy);
  return parseIp(host) === null ? null : addressRefusal(host, policy);
}

/** Why an address (resolved, or literal in the URL) may not be connected to, or null. */
export function addressRefusal(address: string, policy: WebhookAddressPolicy): WebhookUrlRefusal | null {
  if (policy.allowPrivateAddresses) return null;
  const kind = classifyAddress(address);
  if (kind === 'public') return null;
  const name = CLASS_NAMES[kind];
  return {
    code: 'webhook_address_forbidden',
    message: {
      fr: `L'adresse ${address} est une adresse ${name.fr} : les webhooks ne vont qu'à des adresses publiques.`,
      en: `Address ${address} is a ${name.en} address: webhooks only go to public addresses.`,
    },
  };
}

/** The host of a URL without the brackets of an IPv6 literal. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

function isLocalhostName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

function invalid(message: Message): WebhookUrlRefusal {
  return { code: 'webhook_url_invalid', message };
}

type ParsedIp = { version: 4; value: number } | { version: 6; groups: number[] };

/** The class of an IP address; anything that is not a well-formed address is `reserved` (never connected to). */
export function classifyAddress(address: string): AddressClass {
  const ip = parseIp(address);
  if (ip === null) return 'reserved';
  return ip.version === 4 ? classifyIpv4(ip.value) : classifyIpv6(ip.groups);
}

const V4_RANGES: ReadonlyArray<[string, number, Exclude<AddressClass, 'public'>]> = [
  ['0.0.0.0', 8, 'unspecified'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'reserved'], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link_local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['224.0.0.0', 4, 'reserved'], // multicast
  ['240.0.0.0', 4, 'reserved'], // future use and broadcast
];

const V4_NETWORKS = V4_RANGES.map(([base, bits, kind]) => ({
  network: parseIpv4(base) ?? 0,
  mask: (0xffffffff << (32 - bits)) >>> 0,
  kind,
}));

function classifyIpv4(value: number): AddressClass {
  for (const { network, mask, kind } of V4_NETWORKS) if ((value & mask) >>> 0 === network) return kind;
  return 'public';
}

function classifyIpv6(groups: number[]): AddressClass {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const embeddedV4 = ((g6 << 16) | g7) >>> 0;
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (upperZero && g5 === 0 && g6 === 0 && g7 === 0) return 'unspecified';
  if (upperZero && g5 === 0 && g6 === 0 && g7 === 1) return 'loopback';
  // An IPv4 address inside IPv6 (mapped, or the NAT64 well-known prefix) is as public as that IPv4 address.
  if (upperZero && g5 === 0xffff) return classifyIpv4(embeddedV4);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyIpv4(embeddedV4);
  if (g0 === 0x2002) return classifyIpv4(((g1 << 16) | g2) >>> 0); // 6to4 carries its IPv4 address
  if ((g0 & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return 'link_local';
  if ((g0 & 0xffc0) === 0xfec0) return 'private'; // the deprecated site-local fec0::/10
  if (g0 === 0x2001 && g1 === 0x0db8) return 'reserved'; // documentation
  // Only global unicast (2000::/3) is public; the rest of the space is multicast, reserved or unassigned.
  return (g0 & 0xe000) === 0x2000 ? 'public' : 'reserved';
}

function parseIp(text: string): ParsedIp | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { version: 4, value: v4 };
  const v6 = parseIpv6(text);
  return v6 === null ? null : { version: 6, groups: v6 };
}

function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

/** Eight 16-bit groups, or null; accepts `::` once, a trailing dotted IPv4 and a zone (`%eth0`, ignored). */
function parseIpv6(text: string): number[] | null {
  const address = text.replace(/%.*$/, '');
  if (!address.includes(':')) return null;
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  return [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
}

function groupsOf(part: string): number[] | null {
  if (part === '') return [];
  const pieces = part.split(':');
  const groups: number[] = [];
  for (const [index, piece] of pieces.entries()) {
    if (index === pieces.length - 1 && piece.includes('.')) {
      const v4 = parseIpv4(piece);
      if (v4 === null) return null;
      groups.push(v4 >>> 16, v4 & 0xffff);
    } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return null;
    }
  }
  return groups;
}
