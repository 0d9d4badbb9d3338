import { useMemo } from 'react';
import { marked } from 'marked';
import DOMPurify from 'dompurify';

/**
 * A product's text as Markdown (GitHub-flavoured: tables, fenced code). Manifests come from
 * platform teams, not from this page, but their HTML is still sanitised with DOMPurify before
 * it reaches the DOM: marked alone passes scripts and event handlers through.
 */
export default function Markdown({ text }: { text: string }) {
  const html = useMemo(() => DOMPurify.sanitize(marked.parse(text, { async: false })), [text]);
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
