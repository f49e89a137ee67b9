import { ModulePage } from '../module/ModulePage';

export function AnalyzerPage() {
  return <ModulePage title="Analyzer" module="analyzer" />;
}
