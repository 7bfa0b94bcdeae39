import { Link } from '../components/Link';
import { useT } from '../i18n';
import { paths } from '../router';

export function NotFoundPage() {
  const { m } = useT();
  return (
    <section>
      <h1>{m.errors.not_found}</h1>
      <p>
        <Link href={paths.home}>{m.nav.home}</Link>
      </p>
    </section>
  );
}
