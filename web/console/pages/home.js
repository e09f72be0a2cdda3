import { me } from "../store.js";

export default {
  name: "HomePage",
  setup() {
    return { me };
  },
  template: `
  <section aria-labelledby="home-title">
    <h2 id="home-title">概览</h2>
    <p v-if="me.user">您好，{{ me.user.displayName }}。</p>
    <el-table :data="me.grants" aria-label="我的授权" empty-text="暂无授权">
      <el-table-column prop="role" label="角色" />
      <el-table-column prop="orgId" label="组织" />
    </el-table>
  </section>`,
};
