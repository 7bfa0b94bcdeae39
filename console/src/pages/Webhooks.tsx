/**
 * The organization's webhook endpoints (GESTIONNAIRE: their own organization's; staff: the organization picked):
 * the list, registering one (its signing secret shown once, in the answer), sending a test event, deleting, and
 * each endpoint's deliveries with every attempt.
 */
import { useState } from 'preact/hooks';
import { api, type Schemas } from '../api/client';
import { dataOf } from '../api/errors';
import { isStaff, type Profile } from '../auth';
import { Confirm } from '../components/Confirm';
import { ErrorNotice, Loading, Notice, StateBadge, When } from '../components/Display';
import { useT } from '../i18n';
import { useAsync } from '../useAsync';
import { useOrganizations } from './admin/organizationChoices';

type Endpoint = Schemas['Webhook'];
type EventType = Schemas['WebhookEventType'];
const EVENT_TYPES: readonly EventType[] = [
  'bulk.awaiting_approval',
  'bulk.processing',
  'bulk.completed',
  'bulk.failed',
  'transfer.on_hold',
  'transfer.failed',
  'transfer.completed',
];

export function WebhooksPage({ profile }: { profile: Profile }) {
  const { m } = useT();
  const staff = isStaff(profile);
  const organizations = useOrganizations();
  const [picked, setPicked] = useState('');
  const organizationId = staff
    ? Number(picked || organizations.data?.[0]?.id || 0) || null
    : (profile.organization?.id ?? null);
  const [shown, setShown] = useState<Endpoint | null>(null);
  const endpoints = useAsync(async () => {
    if (organizationId === null) return null;
    const query = staff ? { organization_id: organizationId, limit: 200 } : { limit: 200 };
    return dataOf(await api.GET('/api/webhooks', { params: { query } })).results;
  }, [organizationId]);

  if (!staff && !profile.organization) return <Notice>{m.errors.permission_denied}</Notice>;
  return (
    <>
      <h1>{m.webhooks.title}</h1>
      <p>{m.webhooks.intro}</p>
      {staff && (
        <form class="filters" onSubmit={(event) => event.preventDefault()}>
          <div>
            <label for="webhooks-organization">{m.webhooks.organization}</label>
            <select
              id="webhooks-organization"
              value={organizationId === null ? '' : String(organizationId)}
              onChange={(event) => {
                setPicked(event.currentTarget.value);
                setShown(null);
              }}
            >
              {(organizations.data ?? []).map((candidate) => (
                <option key={candidate.id} value={String(candidate.id)}>
                  {candidate.name}
                </option>
              ))}
            </select>
          </div>
        </form>
      )}
      <ErrorNotice error={organizations.error} />
      {endpoints.loading && !endpoints.data && <Loading />}
      <ErrorNotice error={endpoints.error} />
      {endpoints.data && (
        <EndpointsTable
          endpoints={endpoints.data}
          onChanged={() => void endpoints.reload()}
          onShow={setShown}
          onDeleted={(id) => {
            if (shown?.id === id) setShown(null);
            void endpoints.reload();
          }}
        />
      )}
      {organizationId !== null && (
        <RegisterForm organizationId={staff ? organizationId : null} onRegistered={() => void endpoints.reload()} />
      )}
      {shown && <Deliveries key={shown.id} endpoint={shown} />}
    </>
  );
}

function EndpointsTable({
  endpoints,
  onChanged,
  onShow,
  onDeleted,
}: {
  endpoints: Endpoint[];
  onChanged: () => void;
  onShow: (endpoint: Endpoint) => void;
  onDeleted: (id: number) => void;
}) {
  const { m } = useT();
  const [confirming, setConfirming] = useState<Endpoint | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [sent, setSent] = useState<string | null>(null);

  async function act(action: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  const sendTest = (endpoint: Endpoint) =>
    act(async () => {
      const answer = dataOf(
        await api.POST('/api/webhooks/{webhook_id}/test', { params: { path: { webhook_id: endpoint.id } } }),
      );
      setSent(answer.event_id);
      onShow(endpoint);
    });
  const remove = (endpoint: Endpoint) =>
    act(async () => {
      const answer = await api.DELETE('/api/webhooks/{webhook_id}', { params: { path: { webhook_id: endpoint.id } } });
      if (answer.error) dataOf(answer);
      setConfirming(null);
      onDeleted(endpoint.id);
    });

  if (endpoints.length === 0) return <p class="muted">{m.webhooks.noEndpoints}</p>;
  return (
    <>
      <div class="table-scroll">
        <table data-testid="webhooks">
          <caption class="visually-hidden">{m.webhooks.title}</caption>
          <thead>
            <tr>
              <th scope="col">{m.webhooks.url}</th>
              <th scope="col">{m.webhooks.events}</th>
              <th scope="col">{m.webhooks.state}</th>
              <th scope="col">{m.webhooks.actions}</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((endpoint) => (
              <tr key={endpoint.id} data-webhook={endpoint.url}>
                <th scope="row">
                  <code>{endpoint.url}</code>
                </th>
                <td>{endpoint.events.join(', ')}</td>
                <td>
                  <StateBadge
                    state={endpoint.enabled ? 'ACTIVE' : 'FAILED'}
                    label={endpoint.enabled ? m.webhooks.enabled : m.webhooks.disabled}
                  />
                  {endpoint.failing_since && (
                    <div class="muted">
                      {m.webhooks.failingSince} <When iso={endpoint.failing_since} />
                    </div>
                  )}
                  {endpoint.disabled_reason && <div class="muted">{endpoint.disabled_reason}</div>}
                </td>
                <td class="actions">
                  <button type="button" class="secondary" onClick={() => onShow(endpoint)}>
                    {m.webhooks.showDeliveries}
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    disabled={busy || !endpoint.enabled}
                    onClick={() => void sendTest(endpoint)}
                  >
                    {m.webhooks.sendTest}
                  </button>
                  <button type="button" class="danger" disabled={busy} onClick={() => setConfirming(endpoint)}>
                    {m.webhooks.delete}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {sent && <Notice tone="success">{m.webhooks.testSent(sent)}</Notice>}
      {confirming && (
        <Confirm
          id="webhook-delete-title"
          title={m.webhooks.delete}
          confirm={m.webhooks.delete}
          busy={busy}
          onConfirm={() => void remove(confirming)}
          onClose={() => {
            setConfirming(null);
            onChanged();
          }}
        >
          {m.webhooks.confirmDelete(confirming.url)}
        </Confirm>
      )}
      <ErrorNotice error={error} />
    </>
  );
}

function RegisterForm({ organizationId, onRegistered }: { organizationId: number | null; onRegistered: () => void }) {
  const { m } = useT();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<EventType[]>(['bulk.completed', 'bulk.failed']);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);

  async function submit(event: Event) {
    event.preventDefault();
    setError(undefined);
    setSecret(null);
    try {
      const body: { url: string; events: EventType[]; organization_id?: number } = { url: url.trim(), events };
      if (organizationId !== null) body.organization_id = organizationId;
      const created = dataOf(await api.POST('/api/webhooks', { body }));
      setSecret(created.secret);
      setUrl('');
      onRegistered();
    } catch (caught) {
      setError(caught);
    }
  }

  const toggle = (type: EventType, on: boolean) =>
    setEvents((current) => (on ? [...current, type] : current.filter((each) => each !== type)));

  return (
    <section class="card" aria-labelledby="webhook-register-title">
      <h2 id="webhook-register-title">{m.webhooks.register}</h2>
      <form onSubmit={(event) => void submit(event)} class="grid-form">
        <div>
          <label for="webhook-url">{m.webhooks.url}</label>
          <input
            id="webhook-url"
            type="url"
            required
            maxLength={2000}
            placeholder="https://erp.example.org/hooks"
            value={url}
            onInput={(event) => setUrl(event.currentTarget.value)}
          />
        </div>
        <fieldset>
          <legend>{m.webhooks.events}</legend>
          {EVENT_TYPES.map((type) => (
            <div class="checkbox" key={type}>
              <input
                id={`webhook-event-${type}`}
                type="checkbox"
                checked={events.includes(type)}
                onChange={(event) => toggle(type, event.currentTarget.checked)}
              />
              <label for={`webhook-event-${type}`}>
                <code>{type}</code>
              </label>
            </div>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit" disabled={events.length === 0}>
            {m.webhooks.register}
          </button>
        </div>
      </form>
      {secret && (
        <Notice tone="success">
          {m.webhooks.secretOnce} <code data-testid="webhook-secret">{secret}</code>
        </Notice>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}

function Deliveries({ endpoint }: { endpoint: Endpoint }) {
  const { m } = useT();
  const deliveries = useAsync(
    async () =>
      dataOf(
        await api.GET('/api/webhooks/{webhook_id}/deliveries', {
          params: { path: { webhook_id: endpoint.id }, query: { limit: 50 } },
        }),
      ).results,
    [endpoint.id],
  );
  return (
    <section class="card" aria-labelledby="webhook-deliveries-title">
      <h2 id="webhook-deliveries-title">{m.webhooks.deliveriesOf(endpoint.url)}</h2>
      <button type="button" class="secondary" onClick={() => void deliveries.reload()}>
        {m.common.retry}
      </button>
      {deliveries.loading && !deliveries.data && <Loading />}
      <ErrorNotice error={deliveries.error} />
      {deliveries.data && deliveries.data.length === 0 && <p class="muted">{m.webhooks.noDeliveries}</p>}
      {deliveries.data && deliveries.data.length > 0 && (
        <div class="table-scroll">
          <table data-testid="webhook-deliveries">
            <thead>
              <tr>
                <th scope="col">{m.webhooks.event}</th>
                <th scope="col">{m.webhooks.created}</th>
                <th scope="col">{m.webhooks.state}</th>
                <th scope="col">{m.webhooks.attempts}</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.map((delivery) => (
                <tr key={delivery.id}>
                  <th scope="row">
                    <code>{delivery.event_type}</code>
                    <div class="muted">{delivery.event_id}</div>
                  </th>
                  <td>
                    <When iso={delivery.created_at} />
                  </td>
                  <td>
                    <StateBadge
                      state={delivery.state === 'DELIVERED' ? 'COMPLETED' : delivery.state}
                      label={m.webhooks.deliveryStates[delivery.state]}
                    />
                    {delivery.failure_reason && <div class="muted">{delivery.failure_reason}</div>}
                  </td>
                  <td>
                    <ol>
                      {delivery.attempts.map((attempt) => (
                        <li key={attempt.attempted_at}>
                          <When iso={attempt.attempted_at} />{' '}
                          {m.webhooks.attempt(
                            attempt.http_status === null ? m.webhooks.noAnswer : `HTTP ${attempt.http_status}`,
                            attempt.duration_ms,
                          )}
                          {attempt.error && <span class="muted"> · {attempt.error}</span>}
                        </li>
                      ))}
                    </ol>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
