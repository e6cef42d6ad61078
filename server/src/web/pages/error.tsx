import { Layout, type Nav, Notice } from '../components/layout';

/** A refusal or a missing page, in words; the navigation stays so the person is not stranded. */
export function ErrorPage(props: { title: string; message: string; nav?: Nav | undefined }) {
  return (
    <Layout title={props.title} nav={props.nav}>
      <h1>{props.title}</h1>
      <Notice kind="error">{props.message}</Notice>
      <p>
        <a href="/">Back to my queue</a>
      </p>
    </Layout>
  );
}
