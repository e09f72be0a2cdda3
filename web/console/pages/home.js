// Who I am, where my grants hold and what they allow.
import { me } from "../store.js";
import { label } from "../util.js";

export default {
  name: "HomePage",
  setup() {
    // "work:view" → "工作·查看"
    const perm = (p) => {
      const [o, a] = p.toUpperCase().split(":");
      return `${label("object", o)}·${label("action", a)}`;
    };
    return { me, label, perm };
  },
  template: `
  <section aria-labelledby="home-title">
    <h2 id="home-title">概览</h2>
    <p v-if="me.user">您好，{{ me.user.displayName }}<span v-if="me.cadre">（{{ me.cadre.org?.name }}）</span>。</p>
    <h3>我的授权</h3>
    <el-table :data="me.grants" aria-label="我的授权" empty-text="暂无授权">
      <el-table-column label="角色" width="180"><template #default="{ row }">{{ label('role', row.role) }}
        <el-tag v-if="row.delegated" size="small" type="warning">代管</el-tag></template></el-table-column>
      <el-table-column label="所在组织（含全部下级）" width="220"><template #default="{ row }">
        <router-link v-if="row.org" :to="'/orgs/' + row.org.id">{{ row.org.name }}</router-link></template></el-table-column>
      <el-table-column label="可做的事"><template #default="{ row }">
        <el-tag v-for="p in row.permissions" :key="p" size="small" type="info" disable-transitions class="perm-tag" :title="p">{{ perm(p) }}</el-tag></template></el-table-column>
    </el-table>
  </section>`,
};
