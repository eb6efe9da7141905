// A service filter fed by the services the store knows.
import { useApi } from '../api.ts';
import { navigate, withParams } from '../router.tsx';

export function ServicePicker({ value, param = 'service', label = 'Service' }: { value: string; param?: string; label?: string }) {
  const services = useApi<{ data: { name: string; team: string | null }[] }>(param === 'team' ? '/api/v1/teams?limit=1000' : '/api/v1/services?limit=1000');
  const names = services.data?.data.map((s) => s.name) ?? [];
  return (
    <label className="filter">
      <span>{label}</span>
      <select value={value} onChange={(e) => navigate(withParams({ [param]: e.target.value || undefined, cursor: undefined }), { replace: true })}>
        <option value="">all</option>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
        {value && !names.includes(value) && <option value={value}>{value}</option>}
      </select>
    </label>
  );
}
